package io.samsa.broker;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;

import java.nio.ByteBuffer;

import org.apache.kafka.common.protocol.Errors;
import org.junit.Test;

import io.samsa.api.broker.AppendOrigin;
import io.samsa.api.storage.RecordBatchLayout;
import io.samsa.broker.BatchValidator.ValidatedBatches;
import io.samsa.broker.ProducerStateTable.Verdict;

public class ProducerStateTableTest {

    private final ProducerStateTable table = new ProducerStateTable();
    private long nextOffset;

    private Verdict offer(ByteBuffer b) {
        ValidatedBatches v = BatchValidator.validate(b, 1 << 20, AppendOrigin.BROKER);
        assertEquals(Errors.NONE, v.error());
        Verdict verdict = table.check(b, v);
        if (verdict == Verdict.ACCEPT) {
            for (int i = 0; i < v.count(); i++) {
                int pos = v.positions()[i];
                b.putLong(pos, nextOffset);
                nextOffset += RecordBatchLayout.lastOffsetDelta(b, pos) + 1;
            }
            table.record(b, v, 0);
        }
        return verdict;
    }

    @Test
    public void inSequenceBatchesAreAccepted() {
        assertSame(Verdict.ACCEPT, offer(Records.idempotent(7, (short) 0, 0, "a", "b")));
        assertSame(Verdict.ACCEPT, offer(Records.idempotent(7, (short) 0, 2, "c")));
        assertEquals(1, table.size());
    }

    @Test
    public void retriedBatchIsDuplicateWithItsOriginalOffset() {
        offer(Records.idempotent(7, (short) 0, 0, "a", "b"));
        offer(Records.idempotent(7, (short) 0, 2, "c"));
        Verdict v = offer(Records.idempotent(7, (short) 0, 0, "a", "b"));
        assertTrue(v.duplicate());
        assertEquals(0, v.duplicateOffset());
        assertEquals(2, offer(Records.idempotent(7, (short) 0, 2, "c")).duplicateOffset());
    }

    @Test
    public void onlyTheLastFiveBatchesAreRemembered() {
        for (int i = 0; i < 6; i++) {
            offer(Records.idempotent(7, (short) 0, i, "x"));
        }
        assertEquals(5, offer(Records.idempotent(7, (short) 0, 5, "x")).duplicateOffset());
        Verdict forgotten = offer(Records.idempotent(7, (short) 0, 0, "x"));
        assertFalse(forgotten.duplicate());
        assertEquals(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER, forgotten.error());
    }

    @Test
    public void gapIsOutOfOrder() {
        offer(Records.idempotent(7, (short) 0, 0, "a"));
        Verdict v = offer(Records.idempotent(7, (short) 0, 5, "b"));
        assertEquals(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER, v.error());
        assertTrue(v.message(), v.message().contains("expected 1, received 5"));
    }

    @Test
    public void epochRules() {
        offer(Records.idempotent(7, (short) 3, 0, "a"));
        assertEquals(Errors.INVALID_PRODUCER_EPOCH, offer(Records.idempotent(7, (short) 2, 1, "b")).error());
        assertEquals(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER, offer(Records.idempotent(7, (short) 4, 1, "b")).error());
        assertSame(Verdict.ACCEPT, offer(Records.idempotent(7, (short) 4, 0, "b")));
        assertEquals(Errors.INVALID_PRODUCER_EPOCH, offer(Records.idempotent(7, (short) 3, 1, "c")).error());
    }

    @Test
    public void unknownProducerMayStartAnywhereAndBatchesInOneRequestChain() {
        assertSame(Verdict.ACCEPT, offer(Records.idempotent(9, (short) 0, 42, "a")));
        ByteBuffer chained = Records.concat(Records.idempotent(9, (short) 0, 43, "b", "c"),
                Records.idempotent(9, (short) 0, 45, "d"));
        assertSame(Verdict.ACCEPT, offer(chained));
        ByteBuffer broken = Records.concat(Records.idempotent(9, (short) 0, 46, "e"),
                Records.idempotent(9, (short) 0, 48, "f"));
        assertEquals(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER, offer(broken).error());
    }

    @Test
    public void idleProducersExpire() {
        table.add(1, (short) 0, 0, 0, 0, 100);
        table.add(2, (short) 0, 0, 0, 1, 200);
        assertEquals(1, table.expire(150));
        assertEquals(1, table.size());
    }
}
