package dev.shardline.local;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** Account-level operations: DescribeLimits and DescribeAccountSettings. */
final class AccountOperations {
    /** The service's default limit of on-demand streams per account. */
    static final int ON_DEMAND_STREAM_LIMIT = 50;

    private final StreamStore store;

    AccountOperations(StreamStore store) {
        this.store = store;
    }

    void registerAll(OperationRegistry registry) {
        registry.register("DescribeLimits", this::describeLimits)
                .register("DescribeAccountSettings", this::describeAccountSettings);
    }

    Reply describeLimits(Call call) {
        ObjectNode out = call.newObject();
        int limit = store.shardLimit();
        // The model bounds ShardCountObject to 0..1000000; "no limit" is shown as its top.
        out.put("ShardLimit", Math.min(limit, 1_000_000));
        out.put("OpenShardCount", store.openShardCount());
        out.put("OnDemandStreamCount", store.onDemandStreamCount());
        out.put("OnDemandStreamCountLimit", ON_DEMAND_STREAM_LIMIT);
        return Reply.of(out);
    }

    /** No minimum-throughput billing commitment: there is no billing here. */
    Reply describeAccountSettings(Call call) {
        ObjectNode out = call.newObject();
        out.putObject("MinimumThroughputBillingCommitment").put("Status", "DISABLED");
        return Reply.of(out);
    }
}
