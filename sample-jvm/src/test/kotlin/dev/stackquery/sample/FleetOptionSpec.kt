package dev.stackquery.sample

import dev.stackquery.sample.shop.FleetOption
import dev.stackquery.storage.exposed.PostgresSyncTransport
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.nulls.shouldBeNull
import io.kotest.matchers.shouldBe
import io.kotest.matchers.types.shouldBeInstanceOf

class FleetOptionSpec : FunSpec({
    test("--postgres-sync URL gives a PostgresSyncTransport on the sample's channel and leaves the other arguments") {
        val option = FleetOption.fromArgs(
            arrayOf("--reset", "--postgres-sync", "jdbc:postgresql://db/shop", "--data-dir", "x"),
        )
        val transport = option.sync.shouldBeInstanceOf<PostgresSyncTransport>()
        transport.channel shouldBe FleetOption.CHANNEL
        option.rest.toList() shouldBe listOf("--reset", "--data-dir", "x")
        transport.close()
    }

    test("without the option there is no transport; without its URL it fails") {
        FleetOption.fromArgs(arrayOf("--reset")).sync.shouldBeNull()
        shouldThrow<IllegalArgumentException> { FleetOption.fromArgs(arrayOf("--postgres-sync")) }
    }
})
