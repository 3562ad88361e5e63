package io.samsa.api.replication;

/**
 * A range of producer ids one broker hands out alone, claimed in the cluster metadata
 * ({@code /latest_producer_id_block}, Kafka's node), so that no two brokers (and no broker before
 * and after a restart) ever give out the same id.
 *
 * @param brokerId the broker that claimed it
 * @param firstId  the first id of the block
 * @param lastId   the last id of the block, inclusive
 */
public record ProducerIdBlock(int brokerId, long firstId, long lastId) {

    public ProducerIdBlock {
        if (firstId < 0 || lastId < firstId) {
            throw new IllegalArgumentException("A producer id block runs from a first id >= 0 to a last id not below"
                    + " it, not " + firstId + ".." + lastId);
        }
    }
}
