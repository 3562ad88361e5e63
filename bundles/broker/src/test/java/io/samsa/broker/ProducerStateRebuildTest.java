package io.samsa.broker;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;

import java.nio.ByteBuffer;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.samsa.api.broker.AppendOrigin;
import io.samsa.api.storage.LogConfig;
import io.samsa.api.storage.PartitionLog;
import io.samsa.broker.BatchValidator.ValidatedBatches;
import io.samsa.broker.ProducerStateTable.Verdict;
import io.samsa.storage.filechannel.FileChannelStorageEngine;

/**
 * What a follower's truncation means for idempotent-producer state: the table remembers batches
 * the truncation removed, so after {@link PartitionLog#truncateTo} or
 * {@link PartitionLog#truncateFullyAndStartAt} the broker must rebuild it from the log's batch
 * headers ({@link ProducerStateLoader}); a rebuilt table answers as the log now is.
 */
public class ProducerStateRebuildTest {

    private static final long PRODUCER = 7;

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private PartitionLog log;
    private final ProducerStateTable kept = new ProducerStateTable();

    @Before
    public void openLog() throws Exception {
        log = new FileChannelStorageEngine().open(new TopicPartition("orders", 0), tmp.getRoot().toPath().resolve("orders-0"),
                LogConfig.DEFAULTS);
        for (int seq = 0; seq < 3; seq++) {
            ByteBuffer b = Records.idempotent(PRODUCER, (short) 0, seq, "v" + seq);
            ValidatedBatches v = validated(b);
            log.append(b, 0);
            kept.record(b, v, 0);
        }
    }

    @After
    public void closeLog() throws Exception {
        log.close();
    }

    private static ValidatedBatches validated(ByteBuffer b) {
        ValidatedBatches v = BatchValidator.validate(b, 1 << 20, AppendOrigin.BROKER);
        assertEquals(Errors.NONE, v.error());
        return v;
    }

    private static Verdict offer(ProducerStateTable table, int seq) {
        ByteBuffer b = Records.idempotent(PRODUCER, (short) 0, seq, "v" + seq);
        return table.check(b, validated(b));
    }

    private ProducerStateTable rebuilt() throws Exception {
        ProducerStateTable table = new ProducerStateTable();
        ProducerStateLoader.load(log, table, 0);
        return table;
    }

    @Test
    public void afterTruncateToOnlyARebuiltTableForgetsTheRemovedBatch() throws Exception {
        log.truncateTo(2); // the batch of sequence 2 goes
        assertEquals("the table kept across the truncation still calls the removed batch a duplicate", 2,
                offer(kept, 2).duplicateOffset());

        ProducerStateTable table = rebuilt();
        assertSame("rebuilt, the batch is new again and is appended", Verdict.ACCEPT, offer(table, 2));
        assertEquals(1, offer(table, 1).duplicateOffset());
        assertEquals(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER, offer(table, 3).error());
    }

    @Test
    public void afterTruncateFullyAndStartAtTheRebuiltTableIsEmpty() throws Exception {
        log.truncateFullyAndStartAt(100);
        ProducerStateTable table = rebuilt();
        assertEquals(0, table.size());
        assertSame("an unknown producer's next batch is taken", Verdict.ACCEPT, offer(table, 3));
        assertTrue(offer(kept, 2).duplicate());
    }
}
