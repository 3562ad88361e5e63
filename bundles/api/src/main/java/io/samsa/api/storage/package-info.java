/**
 * The storage engine SPI: how the broker keeps a partition's log on disk.
 * <p>
 * An engine ({@link io.samsa.api.storage.StorageEngine}) is an OSGi service; the broker binds
 * the best-ranked one (or the one its {@code storage.target} filter names) and re-opens every
 * partition through a new engine when the binding changes. Every engine writes and reads the
 * same on-disk format, Apache Kafka's: a directory per partition holding segment files named by
 * base offset ({@code .log} with v2 record batches exactly as clients sent them, {@code .index},
 * {@code .timeindex}), so one engine reads what another wrote; {@link io.samsa.api.storage.RecordBatchLayout}
 * draws the batch format they share.
 */
@Export
@Version("1.4.0")
package io.samsa.api.storage;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
