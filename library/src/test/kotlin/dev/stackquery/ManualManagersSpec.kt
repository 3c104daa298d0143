package dev.stackquery

import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe

class ManualManagersSpec : FunSpec({
    test("a manual focus manager tells its listeners at once, only on a change, until they unsubscribe") {
        val focus = FocusManager.manual()
        val seen = mutableListOf<String>()
        val first = focus.addListener { seen += "first $it" }
        focus.addListener { seen += "second $it" }
        focus.setFocused(true) // unchanged
        focus.setFocused(false)
        seen shouldBe listOf("first false", "second false")
        focus.isFocused shouldBe false
        first.unsubscribe()
        first.isSubscribed shouldBe false
        focus.setFocused(true)
        seen shouldBe listOf("first false", "second false", "second true")
        focus.toString() shouldBe "ManualFocusManager(focused=true)"
    }

    test("a manual online manager starts as asked; a throwing listener does not keep the others from being told") {
        val online = OnlineManager.manual(online = false)
        online.isOnline shouldBe false
        val seen = mutableListOf<Boolean>()
        online.addListener { throw IllegalStateException("broken listener") }
        online.addListener { seen += it }
        shouldThrow<IllegalStateException> { online.setOnline(true) }.message shouldBe "broken listener"
        seen shouldBe listOf(true)
        online.isOnline shouldBe true
    }

    test("the same listener added twice is told twice and unsubscribed one registration at a time") {
        val online = OnlineManager.manual()
        var calls = 0
        val listener = OnlineListener { calls++ }
        val a = online.addListener(listener)
        online.addListener(listener)
        online.setOnline(false)
        calls shouldBe 2
        a.close()
        online.setOnline(true)
        calls shouldBe 3
    }

    test("the defaults are always focused and online and never notify") {
        FocusManager.ALWAYS_FOCUSED.isFocused shouldBe true
        OnlineManager.ALWAYS_ONLINE.isOnline shouldBe true
        val subscription = FocusManager.ALWAYS_FOCUSED.addListener { error("never") }
        subscription.isSubscribed shouldBe true
        subscription.unsubscribe()
        subscription.isSubscribed shouldBe false
        QueryClientConfig().focusManager shouldBe FocusManager.ALWAYS_FOCUSED
        QueryClientConfig().onlineManager shouldBe OnlineManager.ALWAYS_ONLINE
        QueryClientConfig().networkMode shouldBe NetworkMode.ONLINE
    }
})
