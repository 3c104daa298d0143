package dev.stackquery.testing

import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.string.shouldContain
import java.nio.file.Files
import java.nio.file.Path

/** The lines of [path] between `// readme:begin` and `// readme:end`, without their common indent. */
private fun region(path: String): String =
    Files.readString(Path.of(path)).substringAfter("// readme:begin\n").substringBefore("// readme:end").trimIndent()

class ReadmeSpec : FunSpec({
    val readme = Files.readString(Path.of("..", "README.md"))

    test("the README's Kotlin contract example is ThirdPartyStorageContractSpec's, word for word") {
        readme shouldContain
            "```kotlin\n" + region("src/test/kotlin/dev/stackquery/testing/ThirdPartyStorageContractSpec.kt") + "\n```"
    }

    test("the README's Java example is TestKitJavaExampleTest's, word for word") {
        readme shouldContain
            "```java\n" + region("src/test/java/dev/stackquery/testing/TestKitJavaExampleTest.java") + "\n```"
    }
})
