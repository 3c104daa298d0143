@file:OptIn(InternalStackQueryApi::class)

package dev.stackquery.storage.exposed.internal

import dev.stackquery.internal.common.InternalStackQueryApi
import dev.stackquery.internal.common.causeChain
import dev.stackquery.storage.StorageException
import dev.stackquery.storage.StorageUnavailableException
import java.net.ConnectException
import java.net.NoRouteToHostException
import java.net.SocketTimeoutException
import java.net.UnknownHostException
import java.sql.SQLException
import java.sql.SQLNonTransientConnectionException
import java.sql.SQLRecoverableException
import java.sql.SQLTimeoutException
import java.sql.SQLTransientConnectionException

/** SQLite result codes (low byte of the driver's error code) that mean "not reachable now". */
private val SQLITE_UNAVAILABLE_CODES = setOf(
    5, // SQLITE_BUSY
    6, // SQLITE_LOCKED
    10, // SQLITE_IOERR
    14, // SQLITE_CANTOPEN
)

/** SQLite result codes that mean the file is not a usable database: SQLITE_CORRUPT, SQLITE_NOTADB. */
private val SQLITE_CORRUPTION_CODES = setOf(11, 26)

/** True when [error] or one of its causes is SQLite saying the file is damaged or not a database. */
internal fun isSqliteCorruption(error: Throwable): Boolean =
    error.causeChain().any { it is SQLException && it.sqliteResultCode() in SQLITE_CORRUPTION_CODES }

/**
 * The SQLite result code (the low byte of the driver's error code) of an exception from the
 * SQLite driver, `null` for any other. By class name: the driver is optional on the classpath
 * when another database is used.
 */
private fun SQLException.sqliteResultCode(): Int? =
    if (javaClass.name.startsWith("org.sqlite.")) errorCode and 0xFF else null

/**
 * [error] as the exception a storage reports: a [StorageException] stays as it is; a failure to
 * reach the database (refused or lost connection, timeout, pool exhausted, SQLite busy or
 * unopenable) becomes a [StorageUnavailableException]; anything else a [StorageException].
 */
internal fun storageFailure(operation: String, error: Throwable): StorageException {
    if (error is StorageException) return error
    val message = "ExposedStorage.$operation failed: ${error.message ?: error.javaClass.name}"
    return if (isUnavailable(error)) StorageUnavailableException(message, error) else StorageException(message, error)
}

/** True when [error] or one of its causes says the database could not be reached. */
internal fun isUnavailable(error: Throwable): Boolean = error.causeChain().any { cause ->
    when (cause) {
        is StorageUnavailableException,
        is SQLTransientConnectionException, is SQLNonTransientConnectionException,
        is SQLRecoverableException, is SQLTimeoutException,
        is ConnectException, is NoRouteToHostException, is UnknownHostException, is SocketTimeoutException,
        -> true
        is SQLException -> cause.sqlState?.startsWith("08") == true ||
            cause.sqliteResultCode() in SQLITE_UNAVAILABLE_CODES
        else -> false
    }
}
