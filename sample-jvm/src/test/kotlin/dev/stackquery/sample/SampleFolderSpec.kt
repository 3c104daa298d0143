package dev.stackquery.sample

import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.engine.spec.tempdir
import io.kotest.matchers.shouldBe
import java.nio.file.Files

class SampleFolderSpec : FunSpec({
    test("each run with a folder counts one more run, and --data-dir= works too") {
        val dir = tempdir().toPath()
        SampleFolder.fromArgs(arrayOf("--data-dir", dir.toString()), "unused").run shouldBe 1
        val second = SampleFolder.fromArgs(arrayOf("--data-dir=$dir"), "unused")
        second.run shouldBe 2
        second.wasReset shouldBe false
        second.path shouldBe dir.toAbsolutePath().normalize()
        second.file("cache.db") shouldBe dir.resolve("cache.db")
    }

    test("--reset deletes the databases and the run counter, and nothing else") {
        val dir = tempdir().toPath()
        SampleFolder.fromArgs(arrayOf("--data-dir", dir.toString()), "unused")
        for (name in listOf(
            "cache.db",
            "cache.db-wal",
            "cache.db-shm",
            "notes.txt",
        )) {
            Files.writeString(dir.resolve(name), "x")
        }
        val reset = SampleFolder.fromArgs(arrayOf("--data-dir", dir.toString(), "--reset"), "unused")
        reset.run shouldBe 1
        reset.wasReset shouldBe true
        Files.list(dir).use { files -> files.map { it.fileName.toString() }.sorted().toList() } shouldBe
            listOf("notes.txt", "runs")
    }

    test("the folder is created when missing") {
        val dir = tempdir().toPath().resolve("a/b")
        SampleFolder.fromArgs(arrayOf("--data-dir", dir.toString()), "unused").run shouldBe 1
        Files.isDirectory(dir) shouldBe true
    }

    test("an unknown argument or a missing path is rejected with the usage") {
        shouldThrow<IllegalArgumentException> { SampleFolder.fromArgs(arrayOf("--rest"), "unused") }.message shouldBe
            "unknown argument --rest; use [--data-dir PATH] [--reset]"
        shouldThrow<IllegalArgumentException> {
            SampleFolder.fromArgs(arrayOf("--data-dir"), "unused")
        }.message shouldBe
            "--data-dir needs a path"
    }
})
