package dev.stackquery.sample

import java.nio.file.Files
import java.nio.file.Path

/**
 * The folder where a sample keeps its SQLite cache from one run to the next, and which run of
 * that folder this is.
 *
 * - `--data-dir PATH` (or `-Dstackquery.sample.dataDir=PATH`) picks it; the default is
 *   `./<defaultName>` in the working directory. It is created when missing.
 * - `--reset` (or `-Dstackquery.sample.reset=true`) deletes what earlier runs left there (the
 *   `*.db` files and the run counter; nothing else), so this run starts cold again.
 * - The file `runs` counts the runs that used the folder.
 */
class SampleFolder private constructor(
    /** The folder, absolute and normalized. */
    val path: Path,
    /** 1 for the first run with this folder (or the first after a reset), 2 for the next, … */
    val run: Int,
    /** Whether `--reset` wiped the folder before this run. */
    @get:JvmName("wasReset") val wasReset: Boolean,
) {
    /** [name] inside the folder. */
    fun file(name: String): Path = path.resolve(name)

    companion object {
        private const val RUNS_FILE = "runs"

        /**
         * Reads the options from [args] (and the system properties), resets the folder when
         * asked, and counts this run.
         *
         * @throws IllegalArgumentException for an unknown argument or a missing path.
         */
        @JvmStatic
        fun fromArgs(args: Array<String>, defaultName: String): SampleFolder {
            var dir = System.getProperty("stackquery.sample.dataDir") ?: defaultName
            var reset = System.getProperty("stackquery.sample.reset").toBoolean()
            var i = 0
            while (i < args.size) {
                when (val arg = args[i]) {
                    "--reset" -> reset = true
                    "--data-dir" ->
                        dir =
                            args.getOrNull(++i) ?: throw IllegalArgumentException("--data-dir needs a path")
                    else -> if (arg.startsWith("--data-dir=")) {
                        dir = arg.substringAfter('=')
                    } else {
                        throw IllegalArgumentException("unknown argument $arg; use [--data-dir PATH] [--reset]")
                    }
                }
                i++
            }
            val path = Path.of(dir).toAbsolutePath().normalize()
            Files.createDirectories(path)
            if (reset) {
                Files.list(path).use { files ->
                    files.filter { it.fileName.toString().let { name -> name == RUNS_FILE || ".db" in name } }
                        .forEach(Files::delete)
                }
            }
            val runs = path.resolve(RUNS_FILE)
            val run = (if (Files.exists(runs)) Files.readString(runs).trim().toIntOrNull() ?: 0 else 0) + 1
            Files.writeString(runs, "$run\n")
            return SampleFolder(path, run, reset)
        }
    }
}
