package dev.stackquery.sample

import dev.stackquery.QueryClient
import dev.stackquery.QueryClientConfig
import dev.stackquery.QueryOptions
import dev.stackquery.queryKey
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.delay
import kotlinx.coroutines.runBlocking
import java.util.concurrent.atomic.AtomicInteger
import kotlin.time.Duration.Companion.seconds

data class User(val id: Int, val name: String)

/** Stands in for a remote API: 50 ms per call, and it counts its calls. */
class UserApi {
    val calls = AtomicInteger()

    suspend fun user(id: Int): User {
        calls.incrementAndGet()
        delay(50)
        return User(id, "user-$id")
    }
}

fun userOptions(api: UserApi, id: Int) = QueryOptions(queryKey("user", id), queryFn = { api.user(id) })

fun main() = runBlocking {
    val api = UserApi()
    QueryClient(QueryClientConfig(staleTime = 30.seconds)).use { client ->
        val first = client.fetchQuery(userOptions(api, 42))   // cold: one API call
        val second = client.fetchQuery(userOptions(api, 42))  // fresh: from memory, no call
        println("$first, $second, API calls: ${api.calls}")    // User(id=42, …) twice, API calls: 1

        val users = List(100) { async { client.fetchQuery(userOptions(api, 7)) } }.awaitAll()
        println("100 callers, ${users.toSet().size} user, API calls: ${api.calls}") // API calls: 2

        client.invalidateQueries(queryKey("user"))            // every ["user", …] key is now stale
        client.fetchQuery(userOptions(api, 42))               // stale: old data now, refetch behind
        client.refetchQueries(queryKey("user", 42))           // joins that refetch and waits for it
        println("after invalidation, API calls: ${api.calls}") // API calls: 3
        println(client.stats())
    }
}
