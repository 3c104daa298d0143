@file:OptIn(InternalStackQueryApi::class)

package dev.stackquery.storage

import dev.stackquery.QueryClock
import dev.stackquery.internal.common.InternalStackQueryApi
import dev.stackquery.internal.common.expiresAt
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.asCoroutineDispatcher
import kotlinx.coroutines.withContext
import java.io.IOException
import java.nio.charset.StandardCharsets.UTF_8
import java.nio.file.AtomicMoveNotSupportedException
import java.nio.file.Files
import java.nio.file.NoSuchFileException
import java.nio.file.Path
import java.nio.file.StandardCopyOption.ATOMIC_MOVE
import java.nio.file.StandardCopyOption.REPLACE_EXISTING
import java.security.MessageDigest
import java.util.UUID
import java.util.concurrent.Executor
import java.util.concurrent.atomic.AtomicLong
import kotlin.coroutines.CoroutineContext
import kotlin.time.Duration
import kotlin.time.toJavaDuration
import kotlin.time.toKotlinDuration

/**
 * A [StorageBackend] in a directory: one file per key, no dependency, safe for several processes
 * sharing the directory. For desktop and CLI applications that want their cache to survive a
 * restart without a database.
 *
 * - **Names.** A key's file is named after the SHA-256 of the key (`ab/ab12…ef.entry`), so no key
 *   can escape the directory (`../`, absolute paths, reserved names) and any key length works. The
 *   file holds the key itself too, checked on read.
 * - **Atomic writes.** A value is written to a temporary file in the same folder, then moved over
 *   the old one atomically, so readers (in any process) see the old or the new value, never a
 *   partial one. Concurrent writers of one key: the last move wins.
 * - **Expiry.** The expiry time (from [clock]) is stored in the file; expired entries read as
 *   missing and are removed by [purgeExpired], by a read that finds them, or, with a
 *   [purgeInterval], by the first write after each interval of [clock] time (inside that write:
 *   no timer or background coroutine, so a virtual clock drives it).
 * - **Errors.** I/O failures are thrown as [StorageException]; with [silent], reads return
 *   `null` and writes do nothing instead.
 *
 * All file work runs on `ioContext` (default `Dispatchers.IO`; from Java, [Builder.ioContext] or
 * [Builder.executor]); the storage starts no coroutine of its own. Thread-safe.
 *
 * ```kotlin
 * val storage = FileStorage(Path.of("cache"))
 * ```
 * From Java: `FileStorage.builder(Path.of("cache")).purgeInterval(Duration.ofHours(1)).build()`.
 *
 * @param directory where the files live; created if missing, resolved to an absolute path.
 * @param ioContext where every file operation runs; default `Dispatchers.IO`. Tests pass a
 *   `StandardTestDispatcher` (with a [clock] on its scheduler) to run in virtual time.
 */
public class FileStorage @JvmOverloads constructor(
    directory: Path,
    private val clock: QueryClock = QueryClock.SYSTEM,
    private val silent: Boolean = false,
    /** When set, the first write after each interval also purges expired entries. */
    @get:JvmSynthetic public val purgeInterval: Duration? = null,
    private val ioContext: CoroutineContext = Dispatchers.IO,
) : PrefixDeletableStorage, PurgeableStorage {
    /** [purgeInterval] for Java callers; `null` without automatic purging. */
    public val purgeIntervalDuration: java.time.Duration? get() = purgeInterval?.toJavaDuration()

    /** The absolute directory holding the entries. */
    public val directory: Path = directory.toAbsolutePath().normalize()
    private val lastPurge = AtomicLong(clock.nowMillis())

    init {
        require(purgeInterval == null || purgeInterval.isPositive()) {
            "purgeInterval must be positive, was $purgeInterval"
        }
        try {
            Files.createDirectories(this.directory)
        } catch (e: IOException) {
            throw StorageException("cannot create the cache directory ${this.directory}", e)
        }
    }

    override suspend fun get(key: String): String? = io("read", null) {
        val file = fileOf(key)
        val entry = readEntry(file) ?: return@io null
        when {
            entry.key != key -> null // a SHA-256 collision: not this key's file
            entry.expiresAt <= clock.nowMillis() -> {
                Files.deleteIfExists(file)
                null
            }
            else -> entry.value
        }
    }

    override suspend fun set(key: String, value: String, ttl: Duration?): Unit = io("write", Unit) {
        val file = fileOf(key)
        if (ttl != null && !ttl.isPositive()) {
            Files.deleteIfExists(file)
        } else {
            Files.createDirectories(file.parent)
            val temp = file.resolveSibling(".tmp-${UUID.randomUUID()}")
            try {
                Files.write(temp, encode(key, value, expiresAt(clock.nowMillis(), ttl)))
                try {
                    Files.move(temp, file, ATOMIC_MOVE, REPLACE_EXISTING)
                } catch (e: AtomicMoveNotSupportedException) {
                    Files.move(temp, file, REPLACE_EXISTING)
                }
            } finally {
                Files.deleteIfExists(temp)
            }
        }
        maybePurge()
    }

    override suspend fun delete(key: String): Unit = io("delete", Unit) {
        Files.deleteIfExists(fileOf(key))
    }

    override suspend fun deleteByPrefix(prefix: String): Long = io("delete by prefix", 0L) {
        var removed = 0L
        forEachEntry { file, entry -> if (entry.key.startsWith(prefix) && Files.deleteIfExists(file)) removed++ }
        removed
    }

    override suspend fun purgeExpired(): Int = io("purge", 0) { purgeNow() }

    private fun purgeNow(): Int {
        val now = clock.nowMillis()
        var removed = 0
        forEachEntry { file, entry -> if (entry.expiresAt <= now && Files.deleteIfExists(file)) removed++ }
        lastPurge.set(now)
        return removed
    }

    private fun maybePurge() {
        val interval = purgeInterval ?: return
        val last = lastPurge.get()
        val now = clock.nowMillis()
        if (now - last >= interval.inWholeMilliseconds && lastPurge.compareAndSet(last, now)) purgeNow()
    }

    private inline fun forEachEntry(action: (Path, Entry) -> Unit) {
        Files.walk(directory).use { paths ->
            for (file in paths) {
                if (!file.fileName.toString().endsWith(SUFFIX)) continue
                val entry = readEntry(file) ?: continue
                action(file, entry)
            }
        }
    }

    private fun fileOf(key: String): Path {
        val digest = MessageDigest.getInstance("SHA-256").digest(key.toByteArray(UTF_8))
        val hex = buildString(64) {
            for (b in digest) {
                append(HEX[(b.toInt() shr 4) and 0xF]).append(
                    HEX[
                        b.toInt() and
                            0xF,
                    ],
                )
            }
        }
        return directory.resolve(hex.substring(0, 2)).resolve(hex + SUFFIX)
    }

    private class Entry(val key: String, val value: String, val expiresAt: Long)

    /** `<MAGIC> <expiresAt> <key length>\n<key><value>`; `null` if missing or not an entry file. */
    private fun readEntry(file: Path): Entry? {
        val text = try {
            String(Files.readAllBytes(file), UTF_8)
        } catch (e: NoSuchFileException) {
            return null
        }
        val newline = text.indexOf('\n')
        if (newline < 0) return null
        val header = text.substring(0, newline).split(' ')
        if (header.size != 3 || header[0] != MAGIC) return null
        val expiresAt = header[1].toLongOrNull() ?: return null
        val keyLength = header[2].toIntOrNull() ?: return null
        val keyEnd = newline + 1 + keyLength
        if (keyLength < 0 || keyEnd > text.length) return null
        return Entry(text.substring(newline + 1, keyEnd), text.substring(keyEnd), expiresAt)
    }

    private fun encode(key: String, value: String, expiresAt: Long): ByteArray =
        "$MAGIC $expiresAt ${key.length}\n$key$value".toByteArray(UTF_8)

    private suspend fun <R> io(what: String, fallback: R, block: () -> R): R = withContext(ioContext) {
        try {
            block()
        } catch (e: IOException) {
            if (silent) fallback else throw StorageException("FileStorage $what failed in $directory", e)
        } catch (e: RuntimeException) {
            if (silent) fallback else throw StorageException("FileStorage $what failed in $directory", e)
        }
    }

    override fun toString(): String = "FileStorage($directory)"

    /** Builds a [FileStorage] from Java; see the class for what each option does. */
    public class Builder internal constructor(private val directory: Path) {
        private var clock: QueryClock = QueryClock.SYSTEM
        private var silent = false
        private var purgeInterval: Duration? = null
        private var ioContext: CoroutineContext = Dispatchers.IO

        /** The clock expiry times come from (the clients' clock). */
        public fun clock(clock: QueryClock): Builder = apply { this.clock = clock }

        /** Misses instead of exceptions on I/O failures. */
        public fun silent(silent: Boolean): Builder = apply { this.silent = silent }

        /** Purge expired entries on the first write after each [interval]; must be positive. */
        public fun purgeInterval(interval: java.time.Duration): Builder = apply {
            require(!interval.isNegative && !interval.isZero) { "purgeInterval must be positive, was $interval" }
            purgeInterval = interval.toKotlinDuration()
        }

        /** Where file work runs (default `Dispatchers.IO`). */
        public fun ioContext(context: CoroutineContext): Builder = apply { ioContext = context }

        /**
         * Runs file work on [executor] (converted with `asCoroutineDispatcher()`; the storage never
         * shuts it down), e.g. the application's I/O pool.
         */
        public fun executor(executor: Executor): Builder = apply { ioContext = executor.asCoroutineDispatcher() }

        /** The storage; creates the directory. @throws StorageException when it cannot. */
        public fun build(): FileStorage = FileStorage(directory, clock, silent, purgeInterval, ioContext)
    }

    public companion object {
        private const val MAGIC = "SQF1"
        private const val SUFFIX = ".entry"
        private const val HEX = "0123456789abcdef"

        /** A [Builder] for a storage in [directory]. */
        @JvmStatic
        public fun builder(directory: Path): Builder = Builder(directory)
    }
}
