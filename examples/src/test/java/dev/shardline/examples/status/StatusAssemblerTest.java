package dev.shardline.examples.status;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shardline.checkpoint.ExtendedSequenceNumber;
import dev.shardline.checkpoint.Lease;
import dev.shardline.checkpoint.WorkerHeartbeats;
import dev.shardline.examples.status.StatusAssembler.KinesisShard;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The status rules on hand-made leases, heartbeats and shard lists: states, liveness, exit code, table, JSON. */
class StatusAssemblerTest {
    private static final Instant NOW = Instant.parse("2026-12-07T10:00:00Z");
    private static final String S0 = "shardId-000000000000";
    private static final String S1 = "shardId-000000000001";
    private static final String S2 = "shardId-000000000002";
    private static final String S3 = "shardId-000000000003";
    private static final String SEQ = "49590338271490256608559692538361571095921575989136588898";

    private static Lease lease(String key, String owner, ExtendedSequenceNumber checkpoint, Set<String> parents,
            Set<String> children) {
        return Lease.builder(key).owner(owner).checkpoint(checkpoint).parentShardIds(parents).childShardIds(children)
                .build();
    }

    private static WorkerHeartbeats.Worker worker(String id, long ageMillis, Duration failover, String... streams) {
        return new WorkerHeartbeats.Worker(id, new WorkerHeartbeats.Beat(7, false),
                Optional.of(NOW.minusMillis(ageMillis)), Set.of(streams), Optional.ofNullable(failover));
    }

    private static ApplicationStatus assemble(List<Lease> leases, Optional<List<WorkerHeartbeats.Worker>> workers,
            List<String> requested, Map<String, List<KinesisShard>> shards, Map<String, Long> lag) {
        return StatusAssembler.assemble(new StatusAssembler.Inputs("tracker", NOW, requested, leases, workers, shards,
                lag, Map.of(), new ArrayList<>()));
    }

    private static Map<String, LeaseStatus> byShard(ApplicationStatus status) {
        return status.leases().stream().collect(Collectors.toMap(LeaseStatus::shardId, Function.identity()));
    }

    /** A split of shard 0 into 2 and 3 (Kinesis knows the lineage), shard 1 untouched. */
    private static Map<String, List<KinesisShard>> splitStream() {
        return Map.of("trucks", List.of(new KinesisShard(S0, Set.of(), true), new KinesisShard(S1, Set.of(), false),
                new KinesisShard(S2, Set.of(S0), false), new KinesisShard(S3, Set.of(S0), false)));
    }

    @Test
    void afterASplitTheParentIsFinishedAndItsChildrenOpenWithTheirOwnersAndLineage() {
        List<Lease> leases = List.of(
                lease(S0, null, ExtendedSequenceNumber.SHARD_END, Set.of(), Set.of(S2, S3)),
                lease(S1, "w-b", ExtendedSequenceNumber.of(SEQ), Set.of(), Set.of()),
                // the children's leases name their parent; the parent's children come from Kinesis too
                lease(S2, "w-a", ExtendedSequenceNumber.TRIM_HORIZON, Set.of(S0), Set.of()),
                lease(S3, "w-b", ExtendedSequenceNumber.of(SEQ, 3), Set.of(S0), Set.of()));
        ApplicationStatus status = assemble(leases, Optional.of(List.of(worker("w-a", 500, Duration.ofSeconds(3),
                "trucks"), worker("w-b", 1500, Duration.ofSeconds(3), "trucks"))), List.of(), splitStream(),
                Map.of(S1, 1200L, S2, 0L, S3, 40L, S0, 99L));

        assertThat(status.streams()).containsExactly("trucks");
        Map<String, LeaseStatus> l = byShard(status);
        assertThat(l.get(S0).state()).isEqualTo(ShardState.FINISHED);
        assertThat(l.get(S0).childShardIds()).containsExactlyInAnyOrder(S2, S3);
        assertThat(l.get(S0).millisBehindLatest()).as("no lag for a finished shard").isNull();
        assertThat(l.get(S2).state()).isEqualTo(ShardState.OPEN);
        assertThat(l.get(S2).parentShardIds()).containsExactly(S0);
        assertThat(l.get(S2).owner()).isEqualTo("w-a");
        assertThat(l.get(S2).ownerAlive()).isTrue();
        assertThat(l.get(S3).millisBehindLatest()).isEqualTo(40L);
        assertThat(l.get(S1).stream()).isEqualTo("trucks");
        assertThat(status.workers()).extracting(WorkerStatus::workerId).containsExactly("w-a", "w-b");
        assertThat(status.workers().get(1).leases()).containsExactly(S1, S3);
        assertThat(status.workers().get(1).heartbeatAgeMillis()).isEqualTo(1500L);
        assertThat(status.problems()).isEmpty();
        assertThat(status.exitCode()).isZero();

        String table = StatusTable.render(status, false);
        assertThat(table).contains("stream trucks").contains("├─ " + S2).contains("└─ " + S3)
                .contains("ok: every shard that should be read has a live owner");
        assertThat(table.indexOf(S0)).isLessThan(table.indexOf("├─ " + S2));
        assertThat(table).contains("…" + SEQ.substring(SEQ.length() - 10) + "/3");
    }

    @Test
    void aClosedParentStillBeingReadKeepsItsChildrenWaiting() {
        List<Lease> leases = List.of(
                lease(S0, "w-a", ExtendedSequenceNumber.of(SEQ), Set.of(), Set.of()),
                lease(S2, null, ExtendedSequenceNumber.TRIM_HORIZON, Set.of(S0), Set.of()),
                lease(S3, null, ExtendedSequenceNumber.TRIM_HORIZON, Set.of(S0), Set.of()));
        ApplicationStatus status = assemble(leases, Optional.of(List.of(worker("w-a", 100, null))),
                List.of("trucks"), splitStream(), Map.of());
        Map<String, LeaseStatus> l = byShard(status);
        assertThat(l.get(S0).state()).as("closed per Kinesis, not yet at SHARD_END").isEqualTo(ShardState.CLOSED);
        assertThat(l.get(S2).state()).isEqualTo(ShardState.WAITING);
        assertThat(l.get(S3).state()).isEqualTo(ShardState.WAITING);
        assertThat(status.exitCode()).as("waiting shards need no owner yet").isZero();
    }

    @Test
    void aChildWhoseParentLeaseWasCleanedUpIsOpen() {
        List<Lease> leases = List.of(lease(S2, null, ExtendedSequenceNumber.TRIM_HORIZON, Set.of(S0), Set.of()));
        ApplicationStatus status = assemble(leases, Optional.of(List.of()), List.of("trucks"), splitStream(),
                Map.of());
        assertThat(status.leases().get(0).state()).isEqualTo(ShardState.OPEN);
        assertThat(status.exitCode()).isEqualTo(ApplicationStatus.UNATTENDED);
        assertThat(status.problems()).containsExactly("trucks/" + S2 + " is open and has no owner");
    }

    @Test
    void anOwnerWhoseHeartbeatIsOlderThanItsFailoverTimeIsDeadAndMakesTheShardUnattended() {
        List<Lease> leases = List.of(lease(S0, "w-a", ExtendedSequenceNumber.of(SEQ), Set.of(), Set.of()),
                lease(S1, "w-b", ExtendedSequenceNumber.of(SEQ), Set.of(), Set.of()));
        ApplicationStatus status = assemble(leases, Optional.of(List.of(worker("w-a", 2900, Duration.ofSeconds(3)),
                worker("w-b", 12_300, Duration.ofSeconds(3)))), List.of("trucks"),
                Map.of("trucks", List.of(new KinesisShard(S0, Set.of(), false), new KinesisShard(S1, Set.of(), false))),
                Map.of());
        Map<String, LeaseStatus> l = byShard(status);
        assertThat(l.get(S0).ownerAlive()).isTrue();
        assertThat(l.get(S1).ownerAlive()).isFalse();
        assertThat(status.exitCode()).isEqualTo(ApplicationStatus.UNATTENDED);
        assertThat(status.problems()).containsExactly("trucks/" + S1
                + " is open and its owner w-b is dead or stalled (last heartbeat 12.3s ago, failover 3.0s)");
        assertThat(StatusTable.render(status, false)).contains("w-b (dead)").contains("DEAD");
    }

    @Test
    void theFailoverTimeAWorkerAnnouncedDecidesAndTheDefaultIsTheConsumers() {
        List<Lease> leases = List.of(lease(S0, "slow", ExtendedSequenceNumber.of(SEQ), Set.of(), Set.of()),
                lease(S1, "quiet", ExtendedSequenceNumber.of(SEQ), Set.of(), Set.of()));
        ApplicationStatus status = assemble(leases, Optional.of(List.of(worker("slow", 8000, Duration.ofSeconds(10)),
                worker("quiet", 3500, null))), List.of(), Map.of(), Map.of());
        Map<String, LeaseStatus> l = byShard(status);
        assertThat(l.get(S0).ownerAlive()).isTrue();
        assertThat(l.get(S1).ownerAlive()).as("3 s default").isFalse();
    }

    @Test
    void anOwnerWithoutAHeartbeatItemIsDeadButWithoutAHeartbeatTableLivenessIsUnknown() {
        List<Lease> leases = List.of(lease(S0, "gone", ExtendedSequenceNumber.of(SEQ), Set.of(), Set.of()));
        ApplicationStatus withTable = assemble(leases, Optional.of(List.of()), List.of("trucks"), Map.of(), Map.of());
        assertThat(withTable.leases().get(0).ownerAlive()).isFalse();
        assertThat(withTable.workers()).singleElement().satisfies(w -> {
            assertThat(w.workerId()).isEqualTo("gone");
            assertThat(w.alive()).isFalse();
            assertThat(w.heartbeatAgeMillis()).isNull();
        });
        assertThat(withTable.exitCode()).isEqualTo(ApplicationStatus.UNATTENDED);
        assertThat(withTable.problems().get(0)).contains("owner gone is dead (no heartbeat)");

        ApplicationStatus kcl = assemble(leases, Optional.empty(), List.of("trucks"), Map.of(), Map.of());
        assertThat(kcl.leases().get(0).ownerAlive()).isNull();
        assertThat(kcl.exitCode()).as("unknown is not dead").isZero();
        assertThat(kcl.warnings()).anySatisfy(w -> assertThat(w).contains("tracker-ShardlineWorkers"));
    }

    @Test
    void multiStreamLeaseKeysNameTheirStreamAndSingleStreamKeysNeedOne() {
        List<Lease> leases = List.of(
                lease("123456789012:trucks:1700000000:" + S0, "w", ExtendedSequenceNumber.of(SEQ), Set.of(), Set.of()),
                lease("123456789012:orders:1700000001:" + S0, "w", ExtendedSequenceNumber.of(SEQ), Set.of(), Set.of()));
        ApplicationStatus status = assemble(leases, Optional.of(List.of(worker("w", 10, null))), List.of(), Map.of(),
                Map.of());
        assertThat(status.streams()).containsExactly("orders", "trucks");
        assertThat(status.leases()).extracting(LeaseStatus::stream).containsExactly("orders", "trucks");
        assertThat(status.leases()).extracting(LeaseStatus::shardId).containsOnly(S0);

        ApplicationStatus unknown = assemble(List.of(lease(S0, null, ExtendedSequenceNumber.TRIM_HORIZON, Set.of(),
                Set.of())), Optional.of(List.of()), List.of(), Map.of(), Map.of());
        assertThat(unknown.leases().get(0).stream()).isNull();
        assertThat(unknown.warnings()).anySatisfy(w -> assertThat(w).contains("pass --stream"));
        assertThat(StatusTable.render(unknown, false)).contains("stream (stream unknown)");
    }

    @Test
    void kclMultiStreamAttributesAndTheOwnersMeasuredThroughputAreShown() {
        Lease hot = Lease.builder("123456789012:orders:1700000001:" + S1).owner("w")
                .checkpoint(ExtendedSequenceNumber.of(SEQ)).multiStream("123456789012:orders:1700000001", S1)
                .throughputKBps(8.0).recordsPerSecond(120.0).millisBehindLatest(350L).build();
        ApplicationStatus status = assemble(List.of(hot), Optional.of(List.of(worker("w", 10, null))), List.of(),
                Map.of(), Map.of());
        LeaseStatus l = status.leases().get(0);
        assertThat(l.stream()).isEqualTo("orders");
        assertThat(l.shardId()).isEqualTo(S1);
        assertThat(l.recordsPerSecond()).isEqualTo(120.0);
        assertThat(l.bytesPerSecond()).isEqualTo(8192.0);
        assertThat(l.reportedMillisBehindLatest()).isEqualTo(350L);
        assertThat(l.millisBehindLatest()).as("not measured here").isNull();
        assertThat(StatusTable.render(status, false)).contains("120.0").contains("8.0");
    }

    @Test
    void aMergedChildIsDrawnUnderItsFirstParentAndPointedAtFromTheSecond() {
        List<Lease> leases = List.of(
                lease(S0, null, ExtendedSequenceNumber.SHARD_END, Set.of(), Set.of(S2)),
                lease(S1, null, ExtendedSequenceNumber.SHARD_END, Set.of(), Set.of(S2)),
                lease(S2, "w", ExtendedSequenceNumber.TRIM_HORIZON, Set.of(S0, S1), Set.of()));
        ApplicationStatus status = assemble(leases, Optional.of(List.of(worker("w", 10, null))), List.of("trucks"),
                Map.of(), Map.of());
        String table = StatusTable.render(status, false);
        assertThat(table).contains("└─ " + S2 + " (merge of " + S0 + " + " + S1 + ")")
                .contains("└─ -> " + S2 + " (merged, above)");
    }

    @Test
    void theJsonHasTheContractsFieldsWithNullsForWhatIsUnknown() throws Exception {
        Lease hot = Lease.builder(S1).owner("w-b").checkpoint(ExtendedSequenceNumber.of(SEQ)).throughputKBps(2.0)
                .build();
        ApplicationStatus status = assemble(List.of(lease(S0, null, ExtendedSequenceNumber.SHARD_END, Set.of(),
                Set.of(S2, S3)), hot), Optional.of(List.of(worker("w-b", 250, Duration.ofSeconds(3), "trucks"))),
                List.of(), splitStream(), Map.of(S1, 1200L));
        JsonNode json = new ObjectMapper().readTree(StatusJson.write(status));
        assertThat(json.get("application").asText()).isEqualTo("tracker");
        JsonNode first = json.get("leases").get(0);
        for (String field : List.of("stream", "shardId", "state", "owner", "checkpoint", "millisBehindLatest",
                "parentShardIds", "childShardIds")) {
            assertThat(first.has(field)).as(field).isTrue();
        }
        assertThat(first.get("state").asText()).isEqualTo("finished");
        assertThat(first.get("owner").isNull()).isTrue();
        assertThat(first.get("childShardIds")).extracting(JsonNode::asText).containsExactly(S2, S3);
        JsonNode second = json.get("leases").get(1);
        assertThat(second.get("millisBehindLatest").asLong()).isEqualTo(1200);
        assertThat(second.get("bytesPerSecond").asDouble()).isEqualTo(2048.0);
        assertThat(second.get("checkpoint").asText()).isEqualTo(SEQ);
        JsonNode worker = json.get("workers").get(0);
        assertThat(worker.get("workerId").asText()).isEqualTo("w-b");
        assertThat(worker.get("leases")).extracting(JsonNode::asText).containsExactly(S1);
        assertThat(worker.get("heartbeatAgeMillis").asLong()).isEqualTo(250);
        assertThat(json.get("healthy").asBoolean()).isTrue();
    }
}
