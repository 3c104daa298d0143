/*
 * The public API check of StackQuery's published modules (run by the build, see the parent pom's
 * `api-check` execution): dumps the public API of a module's compiled classes in the format of
 * Kotlin's binary-compatibility-validator (org.jetbrains.kotlin:abi-tools), then either compares
 * it with the committed dump (`check`) or rewrites the dump (`update`).
 *
 * A single-file Java program: the JDK's source launcher runs it (`java ApiCheck.java ...`), so no
 * module has to be built or installed before it; abi-tools comes from the plugin's classpath.
 *
 * Arguments: check|update <classes dir> <dump file> <excluded class patterns, comma-separated>
 *            <excluded annotations, comma-separated> <update command shown on a mismatch>
 */

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jetbrains.kotlin.abi.tools.AbiFilters;
import org.jetbrains.kotlin.abi.tools.AbiTools;

public final class ApiCheck {
    public static void main(String[] args) throws IOException {
        if (args.length != 6 || !(args[0].equals("check") || args[0].equals("update"))) {
            fail("usage: ApiCheck check|update <classes dir> <dump file> <excluded classes> "
                + "<excluded annotations> <update command>");
        }
        boolean update = args[0].equals("update");
        Path classes = Path.of(args[1]);
        Path dumpFile = Path.of(args[2]);
        String updateCommand = args[5];

        List<File> classFiles = new ArrayList<>();
        if (Files.isDirectory(classes)) {
            try (Stream<Path> paths = Files.walk(classes)) {
                paths.filter(p -> p.toString().endsWith(".class"))
                    .filter(p -> !p.getFileName().toString().equals("module-info.class"))
                    .filter(p -> !classes.relativize(p).startsWith("META-INF"))
                    .sorted()
                    .forEach(p -> classFiles.add(p.toFile()));
            }
        }
        AbiFilters filters = new AbiFilters(
            Collections.emptySet(), split(args[3]), Collections.emptySet(), split(args[4]));
        StringBuilder dump = new StringBuilder();
        AbiTools.Companion.getInstance(ApiCheck.class.getClassLoader())
            .printJvmDump(dump, classFiles, filters);
        String actual = normalize(dump.toString());

        if (update) {
            Files.createDirectories(dumpFile.toAbsolutePath().getParent());
            Files.writeString(dumpFile, actual, StandardCharsets.UTF_8);
            System.out.println("[api-check] wrote " + dumpFile + " (" + classFiles.size() + " class files)");
            return;
        }
        if (!Files.exists(dumpFile)) {
            fail("[api-check] no API dump at " + dumpFile + ".\n"
                + "Create it with `" + updateCommand + "` and commit it.");
        }
        String expected = normalize(Files.readString(dumpFile, StandardCharsets.UTF_8));
        if (expected.equals(actual)) {
            System.out.println("[api-check] " + dumpFile.getFileName() + ": public API unchanged");
            return;
        }
        Path actualFile = Files.createTempFile("api-check", ".api");
        try {
            Files.writeString(actualFile, actual, StandardCharsets.UTF_8);
            String diff = AbiTools.Companion.getInstance(ApiCheck.class.getClassLoader())
                .filesDiff(dumpFile.toFile(), actualFile.toFile());
            fail("[api-check] The public API differs from the committed dump " + dumpFile + ":\n"
                + (diff == null ? "" : diff) + "\n"
                + "If the change is intended, update the dump with\n    " + updateCommand + "\n"
                + "and commit it (a removed or changed signature breaks binary compatibility for users).");
        } finally {
            Files.deleteIfExists(actualFile);
        }
    }

    private static Set<String> split(String list) {
        return Arrays.stream(list.split(","))
            .map(String::trim)
            .filter(s -> !s.isEmpty())
            .collect(Collectors.toCollection(LinkedHashSet::new));
    }

    /** Line endings as LF, no trailing blank lines, one final newline. */
    private static String normalize(String text) {
        String lf = text.replace("\r\n", "\n");
        int end = lf.length();
        while (end > 0 && Character.isWhitespace(lf.charAt(end - 1))) end--;
        return lf.substring(0, end) + "\n";
    }

    private static void fail(String message) {
        System.err.println(message);
        System.exit(1);
    }
}
