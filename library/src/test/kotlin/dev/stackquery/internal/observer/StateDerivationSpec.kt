package dev.stackquery.internal.observer

import dev.stackquery.FetchStatus
import dev.stackquery.QueryOptions
import dev.stackquery.QueryState
import dev.stackquery.QueryStatus
import dev.stackquery.internal.query.fetching
import dev.stackquery.queryKey
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.types.shouldBeSameInstanceAs

private data class Profile(val name: String, val version: Int)

private data class Summary(val name: String)

/** `status/fetchStatus/data/hasData/dataUpdatedAt` plus `/placeholder` and `/error=…` marks. */
private fun QueryState<*>.shown(): String =
    "$status/$fetchStatus/$data/$hasData/$dataUpdatedAt" + (if (isPlaceholderData) "/placeholder" else "") +
        (error?.let { "/error=${it.message}" } ?: "")

/** A hand-written select that counts its calls and can be made to throw. */
private class CountingSelect<Q, T>(private val f: (Q) -> T) : (Q) -> T {
    var calls = 0
    var failWith: Throwable? = null

    override fun invoke(raw: Q): T {
        calls++
        failWith?.let { throw it }
        return f(raw)
    }
}

private val key = queryKey("profile")

private fun options(
    placeholder: Profile? = null,
    keepPrevious: Boolean = false,
    enabled: Boolean = true,
): QueryOptions<Profile> = QueryOptions(
    key,
    { Profile("fetched", 0) },
    enabled = enabled,
    placeholderData = placeholder,
    keepPreviousData = keepPrevious,
)

private val idle = QueryState.idle<Profile>()
private val loading = idle.fetching() // PENDING/FETCHING, no data

private fun success(profile: Profile, at: Long = 100) = QueryState.success(profile, at)

class StateDerivationSpec : FunSpec({
    test("without select the raw state is shown as is, the same instance") {
        val derivation = StateDerivation<Profile, Profile>(null)
        val raw = success(Profile("ann", 1))
        derivation.derive(raw, options()) shouldBeSameInstanceAs raw
        derivation.derive(loading, options()) shouldBeSameInstanceAs loading
        derivation.derive(idle, options()) shouldBeSameInstanceAs idle
    }

    test("select is applied to the data; everything else is the raw state's") {
        val select = CountingSelect<Profile, String> { it.name.uppercase() }
        val derivation = StateDerivation(select)
        val raw = success(Profile("ann", 1), at = 250).copy(isInvalidated = true, fetchStatus = FetchStatus.FETCHING)
        val shown = derivation.derive(raw, options())
        shown.shown() shouldBe "SUCCESS/FETCHING/ANN/true/250"
        shown.isInvalidated shouldBe true
        shown.isPlaceholderData shouldBe false
        select.calls shouldBe 1
    }

    test("select runs only for a new raw data object; states carrying the same object reuse the result") {
        val select = CountingSelect<Profile, Summary> { Summary(it.name) }
        val derivation = StateDerivation(select)
        val profile = Profile("ann", 1)
        val first = derivation.derive(success(profile), options()).data!!
        derivation.derive(success(profile).fetching(), options()).data shouldBeSameInstanceAs first
        derivation.derive(success(profile, at = 999), options()).data shouldBeSameInstanceAs first
        derivation.derive(success(profile).copy(isInvalidated = true), options()).data shouldBeSameInstanceAs first
        select.calls shouldBe 1
        derivation.derive(success(Profile("ann", 1)), options()) // equal, but a new object: select runs
        select.calls shouldBe 2
    }

    test("an equal select result for new raw data keeps the previous reference") {
        val select = CountingSelect<Profile, Summary> { Summary(it.name) }
        val derivation = StateDerivation(select)
        val first = derivation.derive(success(Profile("ann", 1)), options()).data!!
        val second = derivation.derive(success(Profile("ann", 2)), options()).data!!
        select.calls shouldBe 2
        second shouldBeSameInstanceAs first
        val third = derivation.derive(success(Profile("bob", 3)), options()).data!!
        third shouldBe Summary("bob")
    }

    test("a select that throws shows ERROR with that exception; with nothing selected before, no data") {
        val boom = IllegalArgumentException("cannot select")
        val select = CountingSelect<Profile, String> { it.name }.apply { failWith = boom }
        val derivation = StateDerivation(select)
        val raw = success(Profile("ann", 1), at = 40)
        val shown = derivation.derive(raw, options())
        shown.shown() shouldBe "ERROR/IDLE/null/false/40/error=cannot select"
        shown.error shouldBeSameInstanceAs boom
        raw.shown() shouldBe "SUCCESS/IDLE/Profile(name=ann, version=1)/true/40" // the raw state is untouched
    }

    test("a select that throws keeps the last selected data, and is tried again for the same raw data") {
        val select = CountingSelect<Profile, String> { it.name }
        val derivation = StateDerivation(select)
        derivation.derive(success(Profile("ann", 1)), options()).data shouldBe "ann"
        val boom = IllegalStateException("broken")
        select.failWith = boom
        val raw = success(Profile("bob", 2), at = 200).fetching()
        val failed = derivation.derive(raw, options())
        failed.shown() shouldBe "ERROR/FETCHING/ann/true/200/error=broken"
        derivation.derive(raw, options()).shown() shouldBe "ERROR/FETCHING/ann/true/200/error=broken"
        select.calls shouldBe 3 // a failure is not memoized
        select.failWith = null
        derivation.derive(raw, options()).shown() shouldBe "SUCCESS/FETCHING/bob/true/200" // it recovers
        select.calls shouldBe 4
    }

    test("any throwable from select but a VirtualMachineError is shown; a VirtualMachineError propagates") {
        val select = CountingSelect<Profile, String> { it.name }
        val derivation = StateDerivation(select)
        select.failWith = NotImplementedError("todo")
        derivation.derive(success(Profile("a", 1)), options()).error!!.message shouldBe "todo"
        val oom = OutOfMemoryError("simulated")
        select.failWith = oom
        shouldThrow<OutOfMemoryError> { derivation.derive(success(Profile("b", 1)), options()) } shouldBeSameInstanceAs
            oom
    }

    test("placeholder data shows as SUCCESS with isPlaceholderData while the query has no data") {
        val derivation = StateDerivation<Profile, Profile>(null)
        val placeholder = Profile("loading", 0)
        val shown = derivation.derive(loading, options(placeholder = placeholder))
        shown.shown() shouldBe "SUCCESS/FETCHING/Profile(name=loading, version=0)/true/0/placeholder"
        shown.data shouldBeSameInstanceAs placeholder
        derivation.derive(idle, options(placeholder = placeholder)).shown() shouldBe // enabled, not yet fetching
            "SUCCESS/IDLE/Profile(name=loading, version=0)/true/0/placeholder"
        val real = success(Profile("ann", 1))
        derivation.derive(real, options(placeholder = placeholder)) shouldBeSameInstanceAs real
    }

    test("placeholder data passes through select, memoized like data") {
        val select = CountingSelect<Profile, String> { it.name.uppercase() }
        val derivation = StateDerivation(select)
        val placeholder = Profile("loading", 0)
        derivation.derive(loading, options(placeholder = placeholder)).shown() shouldBe
            "SUCCESS/FETCHING/LOADING/true/0/placeholder"
        derivation.derive(loading, options(placeholder = placeholder)).data shouldBe "LOADING"
        select.calls shouldBe 1
    }

    test("no placeholder for an ERROR state, nor for a disabled query that is not fetching") {
        val derivation = StateDerivation<Profile, Profile>(null)
        val placeholder = Profile("loading", 0)
        val failed = idle.copy(status = QueryStatus.ERROR, error = IllegalStateException("down"), errorUpdatedAt = 9)
        derivation.derive(failed, options(placeholder = placeholder)) shouldBeSameInstanceAs failed
        derivation.derive(idle, options(placeholder = placeholder, enabled = false)) shouldBeSameInstanceAs idle
        // disabled, but fetching (another caller's fetch): the placeholder shows
        derivation.derive(loading, options(placeholder = placeholder, enabled = false)).isPlaceholderData shouldBe true
    }

    test("keepPreviousData shows the previous key's shown data, as placeholder, until the new key has data") {
        val select = CountingSelect<Profile, String> { it.name }
        val derivation = StateDerivation(select)
        val page1 = derivation.derive(success(Profile("page1", 1), at = 10), options(keepPrevious = true))
        derivation.keyChanging(page1)
        val kept = derivation.derive(loading, options(keepPrevious = true))
        kept.shown() shouldBe "SUCCESS/FETCHING/page1/true/0/placeholder"
        kept.data shouldBeSameInstanceAs page1.data
        select.calls shouldBe 1 // the kept data is shown as it was, not selected again
        derivation.derive(success(Profile("page2", 2), at = 20), options(keepPrevious = true)).shown() shouldBe
            "SUCCESS/IDLE/page2/true/20"
        // once the new key had data, what was kept is gone: a reset of the new key shows no old page
        derivation.derive(loading, options(keepPrevious = true)).shown() shouldBe "PENDING/FETCHING/null/false/0"
    }

    test("keepPreviousData wins over placeholderData; with nothing kept the placeholder shows") {
        val derivation = StateDerivation<Profile, Profile>(null)
        val both = options(placeholder = Profile("loading", 0), keepPrevious = true)
        derivation.keyChanging(success(Profile("page1", 1)))
        derivation.derive(loading, both).data shouldBe Profile("page1", 1)
        val fresh = StateDerivation<Profile, Profile>(null)
        fresh.keyChanging(loading) // the key changes while nothing is shown
        fresh.derive(loading, both).data shouldBe Profile("loading", 0)
        fresh.derive(loading, options(keepPrevious = true)) shouldBeSameInstanceAs loading
    }

    test("without keepPreviousData the previous key's data is not shown") {
        val derivation = StateDerivation<Profile, Profile>(null)
        derivation.keyChanging(success(Profile("page1", 1)))
        derivation.derive(loading, options()) shouldBeSameInstanceAs loading
    }

    test("kept previous data is not shown over an ERROR state or a disabled idle query") {
        val derivation = StateDerivation<Profile, Profile>(null)
        derivation.keyChanging(success(Profile("page1", 1)))
        val failed = idle.copy(status = QueryStatus.ERROR, error = IllegalStateException("down"))
        derivation.derive(failed, options(keepPrevious = true)) shouldBeSameInstanceAs failed
        derivation.derive(idle, options(keepPrevious = true, enabled = false)) shouldBeSameInstanceAs idle
        derivation.derive(loading, options(keepPrevious = true)).data shouldBe Profile("page1", 1) // still kept
    }

    // The memo must not offer a selected placeholder as "the last selected data" of the query itself.
    test("a select failing after only placeholder data was selected never shows the placeholder as real data") {
        val select = CountingSelect<Profile, String> { it.name.uppercase() }
        val derivation = StateDerivation(select)
        derivation.derive(loading, options(placeholder = Profile("loading", 0))).data shouldBe "LOADING"
        select.failWith = IllegalStateException("broken")
        val failed = derivation.derive(success(Profile("ann", 1)), options(placeholder = Profile("loading", 0)))
        failed.status shouldBe QueryStatus.ERROR
        (failed.hasData && !failed.isPlaceholderData && failed.data == "LOADING") shouldBe false
    }
})
