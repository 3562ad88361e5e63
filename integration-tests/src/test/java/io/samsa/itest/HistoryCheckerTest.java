package io.samsa.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.Test;

import io.samsa.itest.HistoryChecker.Kind;
import io.samsa.itest.HistoryChecker.Read;
import io.samsa.itest.HistoryChecker.Report;

/** The checker on synthetic histories: a clean one passes, and each anomaly is found and named. */
public class HistoryCheckerTest {

    private static final TopicPartition P0 = new TopicPartition("t", 0);
    private static final TopicPartition P1 = new TopicPartition("t", 1);

    private final AckLedger ledger = new AckLedger();
    private final List<Read> reads = new ArrayList<>();

    /** Sends {@code count} values from {@code producer} to {@code tp}, acknowledged at {@code firstOffset} on. */
    private List<AckLedger.Send> ackedRun(String producer, TopicPartition tp, int count, long firstOffset) {
        List<AckLedger.Send> run = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            AckLedger.Send s = ledger.next(producer, tp);
            ledger.acked(s, firstOffset + i);
            run.add(s);
        }
        return run;
    }

    private void read(TopicPartition tp, long offset, String value) {
        reads.add(new Read(tp, offset, value, "drain"));
    }

    private void readAsAcked(List<AckLedger.Send> sends) {
        sends.forEach(s -> read(s.partition, s.offset(), s.value));
    }

    private Report check() {
        return HistoryChecker.check(ledger.sends(), reads);
    }

    private static void assertOnly(Kind kind, String value, Report report) {
        assertEquals(report.toString(), 1, report.anomalies().size());
        assertEquals(report.toString(), kind, report.anomalies().get(0).kind());
        assertEquals(report.toString(), value, report.anomalies().get(0).value());
    }

    @Test
    public void cleanHistoryPasses() {
        List<AckLedger.Send> a = ackedRun("a", P0, 5, 0);
        List<AckLedger.Send> b = ackedRun("b", P1, 3, 0);
        readAsAcked(a);
        readAsAcked(b);
        Report report = check();
        assertTrue(report.toString(), report.clean());
        assertEquals(8, report.acked());
        assertEquals(8, report.distinctValuesRead());
    }

    @Test
    public void interleavedProducersInOnePartitionAreNotReordered() {
        AckLedger.Send a0 = ledger.next("a", P0);
        AckLedger.Send b0 = ledger.next("b", P0);
        AckLedger.Send a1 = ledger.next("a", P0);
        ledger.acked(b0, 0);
        ledger.acked(a0, 1);
        ledger.acked(a1, 2);
        readAsAcked(List.of(b0, a0, a1));
        assertTrue(check().toString(), check().clean());
    }

    @Test
    public void failedSendsMayBeAbsentOrPresentOnce() {
        AckLedger.Send s0 = ledger.next("p", P0);
        AckLedger.Send lostInFlight = ledger.next("p", P0);
        AckLedger.Send writtenThoughFailed = ledger.next("p", P0);
        AckLedger.Send unanswered = ledger.next("p", P0);
        ledger.acked(s0, 0);
        ledger.failed(lostInFlight, new RuntimeException("timeout"));
        ledger.failed(writtenThoughFailed, new RuntimeException("timeout"));
        read(P0, 0, s0.value);
        read(P0, 1, writtenThoughFailed.value);
        Report report = check();
        assertTrue(report.toString(), report.clean());
        assertEquals(2, report.failed());
        assertEquals(1, report.pending());
        assertEquals(AckLedger.Outcome.PENDING, unanswered.outcome());
    }

    @Test
    public void ackedButNeverReadIsLost() {
        List<AckLedger.Send> run = ackedRun("p", P0, 4, 0);
        readAsAcked(run.subList(0, 2));
        read(P0, 3, run.get(3).value);
        assertOnly(Kind.LOST, run.get(2).value, check());
    }

    @Test
    public void readAtAnotherOffsetThanAckedIsMoved() {
        List<AckLedger.Send> run = ackedRun("p", P0, 3, 0);
        read(P0, 0, run.get(0).value);
        read(P0, 1, run.get(1).value);
        read(P0, 7, run.get(2).value);
        assertOnly(Kind.MOVED, run.get(2).value, check());
    }

    @Test
    public void readInAnotherPartitionIsMoved() {
        List<AckLedger.Send> run = ackedRun("p", P0, 1, 0);
        read(P1, 0, run.get(0).value);
        assertOnly(Kind.MOVED, run.get(0).value, check());
    }

    @Test
    public void oneValueAtTwoOffsetsIsDuplicated() {
        List<AckLedger.Send> run = ackedRun("p", P0, 3, 0);
        readAsAcked(run);
        read(P0, 3, run.get(1).value); // a retry appended again after the first copy was acknowledged
        assertOnly(Kind.DUPLICATED, run.get(1).value, check());
    }

    @Test
    public void theSameRecordSeenByTwoReadersIsNotADuplicate() {
        List<AckLedger.Send> run = ackedRun("p", P0, 2, 0);
        readAsAcked(run);
        run.forEach(s -> reads.add(new Read(s.partition, s.offset(), s.value, "replica-1")));
        assertTrue(check().toString(), check().clean());
    }

    @Test
    public void laterSendReadBeforeAnEarlierOneIsReordered() {
        AckLedger.Send first = ledger.next("p", P0);
        AckLedger.Send second = ledger.next("p", P0);
        ledger.failed(first, new RuntimeException("indeterminate"));
        ledger.failed(second, new RuntimeException("indeterminate"));
        read(P0, 0, second.value);
        read(P0, 1, first.value);
        // reported against the send that is out of place: the later one
        assertOnly(Kind.REORDERED, second.value, check());
    }

    @Test
    public void acknowledgementsAgainstSendOrderAreReordered() {
        AckLedger.Send first = ledger.next("p", P0);
        AckLedger.Send second = ledger.next("p", P0);
        ledger.acked(first, 5);
        ledger.acked(second, 4);
        // nothing read: both are also lost, and the acknowledgements alone show the reordering
        Report report = check();
        assertEquals(report.toString(), 1, report.of(Kind.REORDERED).size());
        assertEquals(second.value, report.of(Kind.REORDERED).get(0).value());
        assertEquals(report.toString(), 2, report.of(Kind.LOST).size());
    }

    @Test
    public void twoValuesAtOneOffsetAreInconsistent() {
        List<AckLedger.Send> run = ackedRun("p", P0, 2, 0);
        AckLedger.Send other = ledger.next("q", P0);
        ledger.failed(other, new RuntimeException("indeterminate"));
        readAsAcked(run);
        // a diverged replica holds another record at offset 1
        reads.add(new Read(P0, 1, other.value, "replica-2"));
        Report report = check();
        assertEquals(report.toString(), 1, report.anomalies().size());
        assertEquals(Kind.INCONSISTENT, report.anomalies().get(0).kind());
        assertTrue(report.anomalies().get(0).value().contains(other.value));
    }

    @Test
    public void aValueNobodySentIsAPhantom() {
        List<AckLedger.Send> run = ackedRun("p", P0, 1, 0);
        readAsAcked(run);
        read(P0, 1, "p:99");
        assertOnly(Kind.PHANTOM, "p:99", check());
    }

    @Test
    public void reportNamesEveryKindFound() {
        List<AckLedger.Send> run = ackedRun("p", P0, 3, 0);
        read(P0, 0, run.get(0).value);
        read(P0, 9, run.get(1).value);
        Report report = check();
        assertEquals(report.toString(), 1, report.of(Kind.LOST).size());
        assertEquals(report.toString(), 1, report.of(Kind.MOVED).size());
        assertTrue(report.toString(), report.toString().contains("LOST"));
        assertTrue(report.toString(), report.toString().contains("MOVED"));
    }

    private static HistoryChecker.PartitionSnapshot snapshot(int reporter, int leader, int epoch, List<Integer> replicas,
            List<Integer> isr) {
        return new HistoryChecker.PartitionSnapshot(P0, reporter, leader, epoch, replicas, isr);
    }

    @Test
    public void consistentSnapshotsPass() {
        List<HistoryChecker.PartitionSnapshot> snapshots = List.of(
                snapshot(0, 1, 3, List.of(1, 2, 0), List.of(1, 2, 0)),
                snapshot(0, 2, 4, List.of(1, 2, 0), List.of(2, 0)),
                // broker 1 has not heard of the new leader yet: stale, not wrong
                snapshot(1, 1, 3, List.of(1, 2, 0), List.of(1, 2, 0)),
                // no leader: the last ISR member is kept, as Kafka does
                snapshot(0, -1, 5, List.of(1, 2, 0), List.of(2)));
        assertTrue(HistoryChecker.checkSnapshots(snapshots).toString(),
                HistoryChecker.checkSnapshots(snapshots).isEmpty());
    }

    @Test
    public void snapshotInvariantsAreChecked() {
        List<HistoryChecker.PartitionSnapshot> snapshots = List.of(
                snapshot(0, 1, 3, List.of(1, 2), List.of(1, 2, 0)),
                snapshot(0, 2, 4, List.of(1, 2, 0), List.of(1, 0)),
                snapshot(0, 1, 2, List.of(1, 2, 0), List.of(1, 2, 0)));
        List<HistoryChecker.Anomaly> found = HistoryChecker.checkSnapshots(snapshots);
        assertEquals(found.toString(), List.of(Kind.ISR_OUTSIDE_REPLICAS, Kind.LEADER_OUTSIDE_ISR, Kind.EPOCH_REGRESSED),
                found.stream().map(HistoryChecker.Anomaly::kind).toList());
        Report report = HistoryChecker.check(ledger.sends(), reads, snapshots);
        assertEquals(report.toString(), 3, report.anomalies().size());
    }

    @Test
    public void ledgerValuesAreUniqueAndCountPerProducer() {
        AckLedger.Send a0 = ledger.next("a", P0);
        AckLedger.Send a1 = ledger.next("a", P1);
        AckLedger.Send b0 = ledger.next("b", P0);
        assertEquals("a:0", a0.value);
        assertEquals("a:1", a1.value);
        assertEquals("b:0", b0.value);
    }

    @Test
    public void ledgerRefusesBadInput() {
        assertThrows(IllegalArgumentException.class, () -> ledger.next("has:colon", P0));
        assertThrows(IllegalArgumentException.class, () -> ledger.next("", P0));
        assertThrows(IllegalArgumentException.class, () -> ledger.next("p", new TopicPartition("t", -1)));
        AckLedger.Send s = ledger.next("p", P0);
        assertThrows(IllegalArgumentException.class, () -> ledger.acked(s, -1));
        ledger.acked(s, 0);
        IllegalStateException twice = assertThrows(IllegalStateException.class,
                () -> ledger.failed(s, new RuntimeException()));
        assertTrue(twice.getMessage(), twice.getMessage().contains("p:0"));
        assertEquals(0, s.offset());
    }

    @Test
    public void callbackSettlesFromProducerMetadata() {
        AckLedger.Send ok = ledger.next("p", P0);
        AckLedger.Send wrongPartition = ledger.next("p", P0);
        AckLedger.Send failed = ledger.next("p", P0);
        ledger.callback(ok).onCompletion(new RecordMetadata(P0, 42, 0, 0, 1, 1), null);
        ledger.callback(wrongPartition).onCompletion(new RecordMetadata(P1, 0, 0, 0, 1, 1), null);
        ledger.callback(failed).onCompletion(null, new RuntimeException("broker gone"));
        assertEquals(AckLedger.Outcome.ACKED, ok.outcome());
        assertEquals(42, ok.offset());
        assertEquals(AckLedger.Outcome.FAILED, wrongPartition.outcome());
        assertEquals(AckLedger.Outcome.FAILED, failed.outcome());
        assertEquals("broker gone", failed.error().getMessage());
        assertEquals(1, ledger.count(AckLedger.Outcome.ACKED));
    }
}
