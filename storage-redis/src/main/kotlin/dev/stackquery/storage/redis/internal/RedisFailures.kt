@file:OptIn(InternalStackQueryApi::class)

package dev.stackquery.storage.redis.internal

import dev.stackquery.internal.common.InternalStackQueryApi
import dev.stackquery.internal.common.causeChain
import dev.stackquery.storage.StorageException
import dev.stackquery.storage.StorageUnavailableException
import io.lettuce.core.RedisBusyException
import io.lettuce.core.RedisCommandInterruptedException
import io.lettuce.core.RedisCommandTimeoutException
import io.lettuce.core.RedisConnectionException
import io.lettuce.core.RedisException
import io.lettuce.core.RedisLoadingException
import java.io.IOException
import java.util.concurrent.CompletionException
import java.util.concurrent.ExecutionException
import java.util.concurrent.TimeoutException

/**
 * [error], raised by Lettuce while running [operation] against [RedisConnector.target], as the
 * storage exception a caller handles: [StorageUnavailableException] when Redis could not be reached
 * (refused or lost connection, command timeout, rejected while disconnected, Redis loading or
 * busy, client closed), [StorageException] for anything else (a command error such as `WRONGTYPE`
 * or `NOAUTH`, an encoding failure). A [StorageException] passes through unchanged.
 */
internal fun RedisConnector.failure(operation: String, error: Throwable): StorageException {
    val cause = unwrap(error)
    return when {
        cause is StorageException -> cause
        isClosed -> StorageUnavailableException("Redis $operation failed: the client for $target is closed", cause)
        isUnavailable(cause) ->
            StorageUnavailableException("Redis $operation failed: $target is unavailable (${describe(cause)})", cause)
        else -> StorageException("Redis $operation failed on $target: ${describe(cause)}", cause)
    }
}

/** [error] without the future wrappers around it: its first cause that is not a completion or execution exception. */
private fun unwrap(error: Throwable): Throwable =
    error.causeChain().firstOrNull { (it !is CompletionException && it !is ExecutionException) || it.cause == null }
        ?: error

private fun isUnavailable(error: Throwable): Boolean = error.causeChain().any { cause ->
    cause is RedisConnectionException || cause is RedisCommandTimeoutException ||
        cause is RedisLoadingException || cause is RedisBusyException ||
        cause is RedisCommandInterruptedException || cause is IOException || cause is TimeoutException ||
        (cause is RedisException && cause.message.orEmpty().let { CONNECTION_MESSAGES.any(it::contains) })
}

/** Lettuce's messages for commands it did not send because the connection was down or closed. */
private val CONNECTION_MESSAGES = listOf("not connected", "Connection closed", "Connection is closed")

private fun describe(error: Throwable): String = "${error.javaClass.simpleName}: ${error.message}"
