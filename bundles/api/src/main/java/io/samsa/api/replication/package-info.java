/**
 * Replication: the cluster metadata a replicated partition lives by, the leader and follower
 * roles of a partition's replicas, and the seam between the broker (which owns the logs) and the
 * replication engine (which decides the high watermark, the in-sync replicas and what a follower
 * copies).
 * <p>
 * Three parties meet here. A {@link io.samsa.api.replication.ClusterMetadataStore} keeps topics,
 * replica assignments and partition states in the coordinator, every change of a partition's
 * state a compare-and-set on its partition epoch (the version of its node), so a stale leader or
 * controller cannot overwrite a newer decision. The broker implements
 * {@link io.samsa.api.replication.LocalReplica} for each partition replica it holds and hands the
 * partition's state to a {@link io.samsa.api.replication.ReplicationRuntime}, which makes the
 * replica a leader (returning its {@link io.samsa.api.replication.LeaderReplica}) or a follower
 * fetching from the leader. The controller, elsewhere, writes leader elections through the same
 * store, fenced by its election.
 * <p>
 * 1.1: producer id blocks ({@link io.samsa.api.replication.ClusterMetadataStore#claimProducerIdBlock}) and the
 * controller's {@link io.samsa.api.replication.ControllerService} (ElectLeaders).
 * 1.2: partition reassignments through the controller service (AlterPartitionReassignments,
 * ListPartitionReassignments).
 * <p>
 * Errors are Kafka's ({@link org.apache.kafka.common.protocol.Errors}), passed through to clients
 * unchanged.
 */
@Export
@Version("1.2.0")
package io.samsa.api.replication;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
