package dev.shardline.bench.consumer;

import dev.shardline.local.LocalClients;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

/**
 * One consumer worker in its own JVM, for the failover (killed) and handoff (closed) measurements. Arguments:
 * contender (shardline|kcl), Kinesis endpoint, DynamoDB endpoint, application, stream, worker id. Prints "ready" once
 * started; "close" on stdin closes it gracefully, prints "closed" and exits; a kill needs no cooperation.
 */
public final class WorkerProcess {
    private WorkerProcess() {
    }

    public static void main(String[] args) throws Exception {
        URI kinesisEndpoint = URI.create(args[1]);
        URI dynamoEndpoint = URI.create(args[2]);
        KinesisAsyncClient kinesis = LocalClients.kinesis(kinesisEndpoint);
        Contender c = args[0].equals("kcl")
                ? new KclContender(kinesis, kinesis, dynamoEndpoint, kinesisEndpoint)
                : new ShardlineContender(kinesis, kinesis, dynamoEndpoint);
        Contender.Worker worker = c.start(args[3], args[4], args[5], false, new Sink());
        System.out.println("ready");
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            if (line.trim().equals("close")) {
                worker.close();
                System.out.println("closed");
                System.out.flush();
                System.exit(0);
            }
        }
        Thread.sleep(Long.MAX_VALUE);
    }
}
