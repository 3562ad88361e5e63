package io.samsa.storage.format;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Positional reads and zero-copy sends of a segment file's bytes through its channel. */
public final class FileChannels {

    private FileChannels() {
    }

    /**
     * Opens a segment's {@code .log} file read-write, creating it when absent.
     *
     * @throws IOException also when it is larger than the 2 GiB a segment can address
     */
    public static FileChannel openRecordFile(Path file) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        try {
            long length = channel.size();
            if (length > Integer.MAX_VALUE) {
                throw new IOException("Segment file " + file + " is " + length + " bytes, larger than 2 GiB");
            }
            return channel;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Reads {@code dst.remaining()} bytes at {@code position}; false when the file ends first. */
    public static boolean readFully(FileChannel channel, ByteBuffer dst, long position) throws IOException {
        long at = position;
        while (dst.hasRemaining()) {
            int n = channel.read(dst, at);
            if (n < 0) {
                return false;
            }
            at += n;
        }
        return true;
    }

    /**
     * Sends up to {@code count} bytes at {@code position} with {@code transferTo} (sendfile for
     * sockets); may send less when the target is full.
     *
     * @throws EOFException when the file no longer holds them (a follower truncation shrank it
     *                      under a slice): failing beats a caller spinning on zero-byte writes
     */
    public static long transferTo(FileChannel channel, Path file, long position, long count,
            WritableByteChannel target) throws IOException {
        long written = channel.transferTo(position, count, target);
        if (written == 0 && channel.size() < position + count) {
            throw truncatedUnder(file, channel.size(), position, count);
        }
        return written;
    }

    /** The failure of a send whose bytes a truncation removed. */
    public static EOFException truncatedUnder(Path file, long size, long position, long count) {
        return new EOFException("Segment file " + file + " was truncated to " + size + " bytes while sending bytes "
                + position + " to " + (position + count));
    }

    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(64 * 1024);

    /**
     * Writes zeros over bytes {@code [from, to)} of a file, giving them real disk blocks: a full
     * disk then fails here with an IOException rather than later, in a mapped page.
     */
    public static void writeZeros(FileChannel channel, long from, long to) throws IOException {
        long position = from;
        while (position < to) {
            ByteBuffer zeros = ZEROS.duplicate();
            zeros.limit((int) Math.min(zeros.capacity(), to - position));
            position += channel.write(zeros, position);
        }
    }
}
