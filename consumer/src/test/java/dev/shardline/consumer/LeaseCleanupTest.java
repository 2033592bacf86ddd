package dev.shardline.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shardline.checkpoint.ExtendedSequenceNumber;
import dev.shardline.checkpoint.Lease;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LeaseCleanupTest {
    private static Lease lease(String key, ExtendedSequenceNumber cp, Set<String> parents, Set<String> children) {
        return Lease.builder(key).checkpoint(cp).parentShardIds(parents).childShardIds(children).build();
    }

    private static List<String> deletable(List<Lease> leases, Set<String> shards) {
        return LeaseCleanup.deletable(leases, shards).stream().map(d -> d.lease().leaseKey()).toList();
    }

    @Test
    void aFinishedParentGoesOnceEveryChildMovedPastItsStart() {
        ExtendedSequenceNumber end = ExtendedSequenceNumber.SHARD_END;
        Lease parent = lease("p", end, Set.of(), Set.of("c1", "c2"));
        Lease c1 = lease("c1", ExtendedSequenceNumber.of("5"), Set.of("p"), Set.of());
        Lease c2Waiting = lease("c2", ExtendedSequenceNumber.TRIM_HORIZON, Set.of("p"), Set.of());
        assertThat(deletable(List.of(parent, c1, c2Waiting), null)).isEmpty();
        Lease c2 = lease("c2", ExtendedSequenceNumber.of("9"), Set.of("p"), Set.of());
        assertThat(deletable(List.of(parent, c1, c2), null)).containsExactly("p");
        // children known only from their parentShardId (no ChildShards recorded), or deleted already themselves
        Lease bare = lease("p", end, Set.of(), Set.of());
        assertThat(deletable(List.of(bare, c1, c2Waiting), null)).isEmpty();
        assertThat(deletable(List.of(bare, c1, c2), null)).containsExactly("p");
        assertThat(deletable(List.of(parent, c1), null)).as("c2 deleted after moving on").containsExactly("p");
        // a finished lease with no known child stays (its children need it for ordering once they appear)
        assertThat(deletable(List.of(bare), null)).isEmpty();
    }

    @Test
    void leasesOfShardsNoLongerInTheStreamGoAndOpenOnesStay() {
        Lease open = lease("s1", ExtendedSequenceNumber.of("5"), Set.of(), Set.of());
        Lease old = lease("s0", ExtendedSequenceNumber.of("3"), Set.of(), Set.of());
        assertThat(deletable(List.of(open, old), Set.of("s1"))).containsExactly("s0");
        assertThat(deletable(List.of(open, old), null)).as("not listed this round").isEmpty();
        assertThat(deletable(List.of(open, old), Set.of())).as("an empty listing proves nothing").isEmpty();
    }
}
