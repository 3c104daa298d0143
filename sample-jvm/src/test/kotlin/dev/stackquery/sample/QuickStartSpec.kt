package dev.stackquery.sample

import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import java.io.ByteArrayOutputStream
import java.io.PrintStream
import java.nio.file.Files
import java.nio.file.Path

class QuickStartSpec : FunSpec({
    test("the README quick start is this sample, word for word") {
        val readme = Files.readString(Path.of("..", "README.md"))
        val block = readme.substringAfter(
            "<!-- quickstart:begin -->\n```kotlin\n",
        ).substringBefore("```\n<!-- quickstart:end -->")
        val source = Files.readString(Path.of("src/main/kotlin/dev/stackquery/sample/QuickStart.kt"))
        block shouldBe source.substringAfter("package dev.stackquery.sample\n\n")
    }

    test("the quick start makes one call per cold key and one per refetch") {
        val out = ByteArrayOutputStream()
        val previous = System.out
        System.setOut(PrintStream(out, true))
        try {
            main()
        } finally {
            System.setOut(previous)
        }
        val lines = out.toString().lines()
        lines[0] shouldBe "User(id=42, name=user-42), User(id=42, name=user-42), API calls: 1"
        lines[1] shouldBe "100 callers, 1 user, API calls: 2"
        lines[2] shouldBe "after invalidation, API calls: 3"
        lines[3] shouldContain "hits=1"
    }

    test("the README Java quick start is the Java tour, word for word") {
        val readme = Files.readString(Path.of("..", "README.md"))
        val block = readme.substringAfter(
            "<!-- javaquickstart:begin -->\n```java\n",
        ).substringBefore("```\n<!-- javaquickstart:end -->")
        val source = Files.readString(Path.of("src/main/java/dev/stackquery/sample/javashop/JavaShopSample.java"))
        block shouldBe source.substringAfter("package dev.stackquery.sample.javashop;\n\n")
    }
})
