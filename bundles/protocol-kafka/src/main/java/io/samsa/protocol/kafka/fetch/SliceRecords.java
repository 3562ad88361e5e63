package io.samsa.protocol.kafka.fetch;

import java.io.IOException;
import java.nio.channels.WritableByteChannel;

import org.apache.kafka.common.network.TransferableChannel;
import org.apache.kafka.common.record.internal.BaseRecords;
import org.apache.kafka.common.record.internal.DefaultRecordsSend;
import org.apache.kafka.common.record.internal.RecordsSend;
import org.apache.kafka.common.record.internal.TransferableRecords;

import io.samsa.api.storage.LogSlice;
import io.samsa.protocol.kafka.network.SocketTransferChannel;

/**
 * The records of a fetch response as a slice of the log: the response encoder writes them with
 * {@link LogSlice#transferTo}, so record bytes go from the log to the socket without a heap copy.
 */
final class SliceRecords implements TransferableRecords {

    private final LogSlice slice;

    SliceRecords(LogSlice slice) {
        this.slice = slice;
    }

    @Override
    public int sizeInBytes() {
        return slice.sizeInBytes();
    }

    @Override
    public RecordsSend<? extends BaseRecords> toSend() {
        return new DefaultRecordsSend<>(this);
    }

    @Override
    public int writeTo(TransferableChannel channel, int position, int length) throws IOException {
        // The JDK's sendfile path needs the socket itself, not a wrapper around it.
        WritableByteChannel target = channel instanceof SocketTransferChannel socket ? socket.socket() : channel;
        return (int) slice.transferTo(target, position, length);
    }

    @Override
    public String toString() {
        return "SliceRecords(" + slice.sizeInBytes() + " bytes)";
    }
}
