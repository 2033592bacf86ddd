package dev.shardline.bench.producer;

import com.amazonaws.services.kinesis.producer.KinesisProducer;
import com.amazonaws.services.kinesis.producer.UserRecordResult;
import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.MoreExecutors;
import dev.shardline.producer.PartitionKeys;
import java.io.BufferedReader;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The KPL counterpart of {@code shardline produce} for the whole-process measure of {@code bench producer}: a small
 * program that reads JSON lines, takes the partition key from a field, and sends each line through Amazon's KPL at
 * its defaults except what a local endpoint needs (endpoint, no certificate check, no metrics, no STS) and
 * {@code RateLimit} off, as in the library measure; outstanding records are capped at 20,000 (each KPL completion
 * scans its in-flight list). Prints {@code RESULT cpu=.. sent=.. failed=..}, CPU measured from /proc at the end,
 * before the KPL is destroyed (JVM plus native daemon, from process start).
 *
 * <p>Arguments: TLS endpoint, stream, input file, key field.
 */
public final class KplLinesRun {
    private KplLinesRun() {
    }

    public static void main(String[] args) throws Exception {
        if (!"true".equals(System.getenv("AWS_EC2_METADATA_DISABLED"))) {
            throw new IllegalStateException("refusing to start the KPL without AWS_EC2_METADATA_DISABLED=true");
        }
        URI endpoint = URI.create(args[0]);
        String stream = args[1];
        Path input = Path.of(args[2]);
        String field = args[3];
        KinesisProducer kpl = new KinesisProducer(KplRun.localConfiguration(endpoint));
        AtomicLong ok = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        long sent = 0;
        try (BufferedReader lines = Files.newBufferedReader(input, StandardCharsets.UTF_8)) {
            String line;
            while ((line = lines.readLine()) != null) {
                while (kpl.getOutstandingRecordsCount() > 20_000) {
                    Thread.sleep(1);
                }
                byte[] data = line.getBytes(StandardCharsets.UTF_8);
                Futures.addCallback(kpl.addUserRecord(stream, PartitionKeys.jsonField(data, field), ByteBuffer.wrap(data)),
                        new FutureCallback<UserRecordResult>() {
                            @Override
                            public void onSuccess(UserRecordResult result) {
                                (result.isSuccessful() ? ok : failed).incrementAndGet();
                            }

                            @Override
                            public void onFailure(Throwable t) {
                                failed.incrementAndGet();
                            }
                        }, MoreExecutors.directExecutor());
                sent++;
            }
            kpl.flushSync();
            while (ok.get() + failed.get() < sent) {
                Thread.sleep(1);
            }
            double cpu = ProcStats.cpuSecondsWithChildren();
            System.out.printf(Locale.ROOT, "RESULT cpu=%.3f sent=%d failed=%d rss=%d%n", cpu, ok.get(), failed.get(),
                    ProcStats.peakRssWithChildren());
        } finally {
            kpl.destroy();
        }
        System.exit(0);
    }
}
