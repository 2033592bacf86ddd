package dev.shardline.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

@Timeout(30)
class WorkerHeartbeatsTest {

    @Test
    void beatsCountUpPerWorkerInTheirOwnTable() {
        String app = TestDynamo.uniqueApp("hb");
        LeaseTable leases = TestDynamo.table(app, "worker-1");
        leases.createIfMissing().join();
        WorkerHeartbeats w1 = new WorkerHeartbeats(leases);
        WorkerHeartbeats w2 = new WorkerHeartbeats(TestDynamo.table(app, "worker-2"));
        assertThat(w1.tableName()).isEqualTo(app + "-ShardlineWorkers");
        w1.createIfMissing().join();
        w2.createIfMissing().join();

        long b1 = w1.beat().join(); // a new item starts at a random base (never a value observers remember)
        assertThat(w1.beat().join()).isEqualTo(b1 + 1);
        long b2 = w2.beat().join();
        assertThat(w1.heartbeats().join()).containsExactly(Map.entry("worker-1", b1 + 1), Map.entry("worker-2", b2));
        assertThat(leases.listLeases().join()).as("no heartbeat item in the lease table").isEmpty();

        // a restarted worker-1 continues the counter, so observers see it change
        WorkerHeartbeats restarted = new WorkerHeartbeats(leases);
        assertThat(restarted.beat().join()).isEqualTo(b1 + 2);
        // the old instance is still beating with the same id: detected
        assertThatThrownBy(() -> w1.beat().join()).satisfies(e -> assertThat(e instanceof CompletionException ? e.getCause() : e)
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("worker-1"));

        assertThat(restarted.remove().join()).isTrue();
        assertThat(w2.workers().join()).containsExactly("worker-2");
        assertThat(w2.remove().join()).isTrue();
        assertThat(w2.remove().join()).as("nothing left to remove").isFalse();
    }

    @Test
    void describeShowsWhatEachWorkerAnnouncedAndWhenItLastBeat() {
        String app = TestDynamo.uniqueApp("hb");
        WorkerHeartbeats plain = new WorkerHeartbeats(TestDynamo.table(app, "plain"));
        WorkerHeartbeats told = new WorkerHeartbeats(TestDynamo.table(app, "told"))
                .announce(java.util.List.of("trucks", "orders"), java.time.Duration.ofSeconds(3));
        plain.createIfMissing().join();
        long before = System.currentTimeMillis();
        long plainBeat = plain.beat().join();
        long toldFirst = told.beat().join();
        long toldSecond = told.beat().join();
        long after = System.currentTimeMillis();

        var workers = told.describe().join();
        assertThat(workers).extracting(WorkerHeartbeats.Worker::workerId).containsExactly("plain", "told");
        WorkerHeartbeats.Worker p = workers.get(0);
        WorkerHeartbeats.Worker t = workers.get(1);
        // A new worker's counter starts at a random base (never one an observer saw declared dead), then counts up.
        assertThat(p.beat().heartbeat()).isEqualTo(plainBeat);
        assertThat(p.streams()).isEmpty();
        assertThat(p.failoverTime()).isEmpty();
        assertThat(toldSecond).isEqualTo(toldFirst + 1);
        assertThat(t.beat().heartbeat()).isEqualTo(toldSecond);
        assertThat(t.streams()).containsExactlyInAnyOrder("trucks", "orders");
        assertThat(t.failoverTime()).contains(java.time.Duration.ofSeconds(3));
        assertThat(t.lastBeat()).hasValueSatisfying(i -> assertThat(i.toEpochMilli()).isBetween(before, after));
    }

    @Test
    void removeDoesNotDeleteAnotherProcessesItem() {
        String app = TestDynamo.uniqueApp("hb");
        LeaseTable leases = TestDynamo.table(app, "w");
        WorkerHeartbeats a = new WorkerHeartbeats(leases);
        a.createIfMissing().join();
        a.beat().join();
        TestDynamo.client().updateItem(r -> r.tableName(a.tableName()).key(Map.of("workerId", AttributeValue.fromS("w")))
                .updateExpression("SET heartbeat = :h").expressionAttributeValues(Map.of(":h", AttributeValue.fromN("50")))).join();
        assertThat(a.remove().join()).isFalse();
        assertThat(a.heartbeats().join()).containsEntry("w", 50L);
    }

    @Test
    void removeDeadDeletesOnlyAnItemStillAtTheValueSeenDeadAndTheWorkerComesBackByItself() {
        String app = TestDynamo.uniqueApp("hb");
        LeaseTable leases = TestDynamo.table(app, "observer");
        WorkerHeartbeats observer = new WorkerHeartbeats(leases);
        WorkerHeartbeats dead = new WorkerHeartbeats(TestDynamo.table(app, "dead"));
        WorkerHeartbeats cutOff = new WorkerHeartbeats(TestDynamo.table(app, "cut-off"));
        observer.createIfMissing().join();
        observer.beat().join();
        dead.beat().join();
        long d = dead.beat().join();
        long c = cutOff.beat().join();

        // declared dead at d, but it beat since: kept
        long seen = observer.read("dead").join().orElseThrow().heartbeat();
        assertThat(seen).isEqualTo(d);
        dead.beat().join();
        assertThat(observer.removeDead("dead", seen).join()).isFalse();
        assertThat(observer.heartbeats().join()).containsEntry("dead", d + 1);
        // unchanged since it was seen: deleted, once; a second observer's delete finds nothing
        assertThat(observer.removeDead("dead", d + 1).join()).isTrue();
        assertThat(observer.removeDead("dead", d + 1).join()).isFalse();
        assertThat(observer.read("dead").join()).isEmpty();
        assertThatThrownBy(() -> observer.removeDead("observer", 1)).isInstanceOf(IllegalArgumentException.class);

        // a live worker whose item was deleted while it was cut off beats again without a false duplicate alarm,
        // continuing its own counter: observers that remember c see a change, never c again
        assertThat(observer.removeDead("cut-off", c).join()).isTrue();
        assertThat(cutOff.beat().join()).isEqualTo(c + 1);
        assertThat(cutOff.beat().join()).isEqualTo(c + 2);
        assertThat(observer.read("cut-off").join().orElseThrow().heartbeat()).isEqualTo(c + 2);
        assertThat(observer.workers().join()).containsExactly("cut-off", "observer");
        // a new instance under a swept id starts elsewhere than the swept value (a random base)
        assertThat(observer.removeDead("cut-off", c + 2).join()).isTrue();
        assertThat(new WorkerHeartbeats(TestDynamo.table(app, "cut-off")).beat().join()).isNotEqualTo(c + 2);
    }
}
