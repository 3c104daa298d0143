package dev.stackquery.storage.exposed.internal

import com.zaxxer.hikari.HikariDataSource
import java.io.PrintWriter
import java.sql.Connection
import java.util.logging.Logger
import javax.sql.DataSource

/**
 * A [DataSource] over a Hikari pool made by [create] that can be closed and made again: an
 * Exposed `Database` keeps its `DataSource` for life, and [SqliteDatabases.quarantine] must close
 * every connection to a corrupt file before a new file takes its name.
 */
internal class SwappablePool(private val create: () -> HikariDataSource) : DataSource, AutoCloseable {
    /** The pool in use; `null` after [closeCurrent] until the next use creates one. */
    private var current: HikariDataSource? = create()

    private val pool: HikariDataSource
        @Synchronized get() = current ?: create().also { current = it }

    /**
     * Closes the current pool (every connection). The next use makes a new one, not before: a
     * pool fills itself in the background, and the caller is about to move the file away.
     */
    @Synchronized
    fun closeCurrent() {
        current?.close()
        current = null
    }

    @Synchronized
    override fun close() {
        current?.close()
    }

    override fun getConnection(): Connection = pool.connection

    override fun getConnection(username: String?, password: String?): Connection =
        pool.getConnection(username, password)

    override fun getLogWriter(): PrintWriter? = pool.logWriter

    override fun setLogWriter(out: PrintWriter?) {
        pool.logWriter = out
    }

    override fun setLoginTimeout(seconds: Int) {
        pool.loginTimeout = seconds
    }

    override fun getLoginTimeout(): Int = pool.loginTimeout

    override fun getParentLogger(): Logger = pool.parentLogger

    override fun <T : Any?> unwrap(iface: Class<T>): T = pool.unwrap(iface)

    override fun isWrapperFor(iface: Class<*>): Boolean = pool.isWrapperFor(iface)
}
