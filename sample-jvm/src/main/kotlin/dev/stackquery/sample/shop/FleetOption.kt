package dev.stackquery.sample.shop

import dev.stackquery.storage.exposed.PostgresSyncTransport
import dev.stackquery.sync.SyncTransport

/**
 * The tour's `--postgres-sync JDBC_URL` option: with it, the client joins a fleet on PostgreSQL
 * only, through a [PostgresSyncTransport] on the channel [CHANNEL] (run the tour in two terminals
 * with the same URL: each one's invalidations reach the other). [rest] are the other arguments.
 */
class FleetOption private constructor(val sync: SyncTransport?, val rest: Array<String>) {
    companion object {
        const val CHANNEL = "stackquery_sample"

        fun fromArgs(args: Array<String>): FleetOption {
            val at = args.indexOf("--postgres-sync")
            if (at < 0) return FleetOption(null, args)
            val url = requireNotNull(args.getOrNull(at + 1)) { "--postgres-sync needs a JDBC URL" }
            val rest = args.filterIndexed { i, _ -> i != at && i != at + 1 }.toTypedArray()
            return FleetOption(PostgresSyncTransport.create(url, CHANNEL), rest)
        }
    }
}
