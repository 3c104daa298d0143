package dev.stackquery.benchmarks

import dev.stackquery.QueryClient
import dev.stackquery.QueryKey
import dev.stackquery.QueryOptions
import dev.stackquery.RefetchTrigger
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancel
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.map
import kotlinx.coroutines.launch
import java.util.concurrent.CountDownLatch
import java.util.concurrent.TimeUnit

/**
 * Observer fan-out: [collectors] coroutines on `Dispatchers.Default`, each collecting a flow of
 * `Long` values; [publish] writes one new value and returns when every collector has seen it.
 *
 * [startStackQuery] gives each collector its own observer (`client.watch(options).state`, as
 * 10,000 screens or components would); [startStateFlow] makes them all collect one plain
 * `MutableStateFlow`, the floor for "notify 10,000 coroutines". Start exactly one of them. If not
 * every collector sees a value within [timeoutSeconds], the call throws [IllegalStateException].
 * Not thread-safe: one benchmark thread drives it.
 */
class FanOut @JvmOverloads constructor(
    private val collectors: Int,
    /** How long [publish] and the start wait for every collector before they throw. */
    private val timeoutSeconds: Long = 60,
) : AutoCloseable {
    private class Round(val target: Long, val seen: CountDownLatch)

    private val scope = CoroutineScope(SupervisorJob() + Dispatchers.Default)

    @Volatile
    private var round = Round(0L, CountDownLatch(collectors))
    private var write: ((Long) -> Unit)? = null

    /** Every collector watches [key] through its own observer; the value starts at 0. */
    fun startStackQuery(client: QueryClient, key: QueryKey) {
        client.setQueryData(key, 0L)
        val options = QueryOptions<Long>(
            queryKey = key,
            queryFn = {
                throw IllegalStateException("the query function of $key ran: the fan-out benchmark only writes")
            },
            refetchOnSubscribe = RefetchTrigger.NEVER,
        )
        start({ client.watch(options).state.map { it.data } }) { value -> client.setQueryData(key, value) }
    }

    /** Every collector collects one shared `MutableStateFlow`; the value starts at 0. */
    fun startStateFlow() {
        val flow = MutableStateFlow(0L)
        start({ flow }) { value -> flow.value = value }
    }

    private fun start(source: () -> Flow<Long?>, write: (Long) -> Unit) {
        check(this.write == null) { "already started" }
        this.write = write
        val first = round
        repeat(collectors) {
            val flow = source()
            scope.launch {
                var last: Long? = null
                flow.collect { value ->
                    if (value != last) {
                        last = value
                        val current = round
                        if (value == current.target) current.seen.countDown()
                    }
                }
            }
        }
        await(first)
    }

    /** Writes [value] (different from the last one) and waits until all collectors saw it. */
    fun publish(value: Long) {
        val write = checkNotNull(write) { "not started" }
        val next = Round(value, CountDownLatch(collectors))
        round = next
        write(value)
        await(next)
    }

    private fun await(round: Round) {
        check(round.seen.await(timeoutSeconds, TimeUnit.SECONDS)) {
            "${round.seen.count} of $collectors collectors had not seen ${round.target} after $timeoutSeconds s"
        }
    }

    override fun close() {
        scope.cancel()
    }
}
