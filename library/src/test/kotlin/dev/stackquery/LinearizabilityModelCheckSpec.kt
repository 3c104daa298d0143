package dev.stackquery

import io.kotest.core.spec.style.FunSpec
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions

/**
 * The same model under Lincheck's model checker. It runs in a Surefire execution of its own,
 * without Kover's coverage agent, under which the checker hung (see `library/pom.xml`).
 */
class LinearizabilityModelCheckSpec : FunSpec({
    test("set, update, get and remove are linearizable under the model checker") {
        ModelCheckingOptions().iterations(6).invocationsPerIteration(100).check(CacheOperations::class)
    }
})
