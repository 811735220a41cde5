/**
 * Shards across replicas: the apps and StatefulSets are split into a fixed number of shards, each
 * held by one replica through a Kubernetes Lease, so that several replicas share the work and a
 * dead replica's shards move to the others within the lease duration. {@link ShardDecisions} is the
 * pure part (which leases to renew, take or give up), {@link LeasedShards} runs it over a {@link
 * LeaseStore}.
 */
package dev.ordinal.shard;
