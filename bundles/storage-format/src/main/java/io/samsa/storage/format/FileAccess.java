package io.samsa.storage.format;

/**
 * What a storage engine brings to the shared log code: how a segment's {@code .log} file is
 * written and read, and how the memory-mapped index files are unmapped.
 *
 * @param recordFiles opens a segment's record file
 * @param unmapper    releases index mappings (and any the record files make)
 */
public record FileAccess(RecordFile.Opener recordFiles, Unmapper unmapper) {
}
