package io.samsa.storage.filechannel;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;

import io.samsa.storage.format.FileChannels;
import io.samsa.storage.format.RecordFile;

/**
 * A segment's {@code .log} file written with positional {@code FileChannel} writes and sent
 * with {@code transferTo}, so record bytes go from the page cache to the socket without passing
 * through the heap. The channel stays open after the file is unlinked, until the log closes the
 * segment, so slices already handed out can still be sent.
 */
final class FileChannelRecordFile extends RecordFile {

    private FileChannelRecordFile(Path file, FileChannel channel) throws IOException {
        super(file, channel);
    }

    /** Opens (creating when absent) the file; its whole current length counts as written. */
    static FileChannelRecordFile open(Path file) throws IOException {
        return new FileChannelRecordFile(file, FileChannels.openRecordFile(file));
    }

    @Override
    protected int write(ByteBuffer buf, int start, int end) throws IOException {
        int position = size();
        int oldPosition = buf.position();
        int oldLimit = buf.limit();
        try {
            buf.limit(end).position(start);
            long at = position;
            while (buf.hasRemaining()) {
                at += channel().write(buf, at);
            }
        } catch (IOException e) {
            // drop whatever part reached the file so the next append overwrites nothing stale
            try {
                channel().truncate(position);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        } finally {
            buf.limit(oldLimit).position(oldPosition);
        }
        return position + (end - start);
    }

    @Override
    protected boolean read(ByteBuffer dst, long position) throws IOException {
        return FileChannels.readFully(channel(), dst, position);
    }

    @Override
    protected long transferTo(long position, long count, WritableByteChannel target) throws IOException {
        return FileChannels.transferTo(channel(), file(), position, count, target);
    }

    @Override
    protected void truncate(int newSize) throws IOException {
        commit(Math.min(size(), newSize));
        channel().truncate(newSize);
        commit(newSize);
    }

    @Override
    protected void flush() throws IOException {
        channel().force(true);
    }
}
