package org.asyncio4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

/**
 * Guards the public API: the exported signatures must equal the checked-in list
 * {@code src/test/resources/public-api.txt}, so an accidental change shows up in review.
 * After a deliberate change, regenerate the list with
 * {@code ./dev mvn test -pl asyncio4j -Dtest=PublicApiTest -Dasyncio4j.api.update=true}.
 */
class PublicApiTest {

    private static final Path LIST = Path.of("src/test/resources/public-api.txt");

    @Test
    void exportedSignatures_matchTheCheckedInList() throws IOException {
        List<String> actual = signatures();
        if (Boolean.getBoolean("asyncio4j.api.update")) {
            Files.write(LIST, actual, StandardCharsets.UTF_8);
            return;
        }
        List<String> expected;
        try (InputStream in = PublicApiTest.class.getResourceAsStream("/public-api.txt")) {
            expected = in == null ? List.of()
                    : new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).toList();
        }
        TreeSet<String> added = new TreeSet<>(actual);
        expected.forEach(added::remove);
        TreeSet<String> removed = new TreeSet<>(expected);
        actual.forEach(removed::remove);
        assertEquals("", diff(added, removed),
                "the public API changed; if that is deliberate, regenerate public-api.txt (see this test's Javadoc)");
    }

    @Test
    void internalPackages_areNotExported() {
        Module m = Asyncio.class.getModule();
        // On the class path the module is unnamed; check the descriptor source instead.
        assertTrue(!m.isNamed() || !m.isExported("org.asyncio4j.internal"));
    }

    private static String diff(TreeSet<String> added, TreeSet<String> removed) {
        StringBuilder sb = new StringBuilder();
        added.forEach(s -> sb.append("+ ").append(s).append('\n'));
        removed.forEach(s -> sb.append("- ").append(s).append('\n'));
        return sb.toString();
    }

    static List<String> signatures() throws IOException {
        TreeSet<String> out = new TreeSet<>();
        for (String pkg : exportedPackages()) {
            for (Class<?> c : classesIn(pkg)) {
                if (!Modifier.isPublic(c.getModifiers())) {
                    continue;
                }
                String type = c.getName();
                out.add(type + " : " + kind(c) + supertypes(c));
                for (Constructor<?> k : c.getDeclaredConstructors()) {
                    if (visible(k.getModifiers()) && !c.isEnum()) {
                        out.add(type + " : " + mods(k.getModifiers()) + "<init>(" + params(k) + ")" + throwsOf(k));
                    }
                }
                for (Method m : c.getDeclaredMethods()) {
                    if (visible(m.getModifiers()) && !m.isSynthetic() && !m.isBridge()) {
                        out.add(type + " : " + mods(m.getModifiers()) + m.getGenericReturnType().getTypeName() + " "
                                + m.getName() + "(" + params(m) + ")" + throwsOf(m));
                    }
                }
                for (Field f : c.getDeclaredFields()) {
                    if (visible(f.getModifiers()) && !f.isSynthetic()) {
                        out.add(type + " : " + mods(f.getModifiers()) + f.getGenericType().getTypeName() + " " + f.getName());
                    }
                }
            }
        }
        return new ArrayList<>(out);
    }

    private static boolean visible(int mod) {
        return Modifier.isPublic(mod) || Modifier.isProtected(mod);
    }

    private static String kind(Class<?> c) {
        if (c.isAnnotation()) {
            return "@interface";
        }
        if (c.isInterface()) {
            return "interface";
        }
        if (c.isEnum()) {
            return "enum";
        }
        if (c.isRecord()) {
            return "record";
        }
        return (Modifier.isAbstract(c.getModifiers()) ? "abstract " : "") + (Modifier.isFinal(c.getModifiers()) ? "final " : "") + "class";
    }

    private static String supertypes(Class<?> c) {
        List<String> s = new ArrayList<>();
        if (c.getGenericSuperclass() != null && c.getSuperclass() != Object.class && !c.isEnum() && !c.isRecord()) {
            s.add(c.getGenericSuperclass().getTypeName());
        }
        Arrays.stream(c.getGenericInterfaces()).map(t -> t.getTypeName()).forEach(s::add);
        return s.isEmpty() ? "" : " extends " + String.join(", ", s);
    }

    private static String mods(int m) {
        StringBuilder sb = new StringBuilder();
        if (Modifier.isProtected(m)) {
            sb.append("protected ");
        }
        if (Modifier.isStatic(m)) {
            sb.append("static ");
        }
        if (Modifier.isFinal(m)) {
            sb.append("final ");
        }
        if (Modifier.isAbstract(m)) {
            sb.append("abstract ");
        }
        return sb.toString();
    }

    private static String params(Executable e) {
        return Arrays.stream(e.getGenericParameterTypes()).map(t -> t.getTypeName()).collect(Collectors.joining(", "));
    }

    private static String throwsOf(Executable e) {
        var ts = e.getGenericExceptionTypes();
        return ts.length == 0 ? "" : " throws " + Arrays.stream(ts).map(t -> t.getTypeName()).collect(Collectors.joining(", "));
    }

    /**
     * The packages module-info.java exports to everyone, read from its source (a qualified
     * {@code exports ... to ...}, such as the internal package's to the test module, is not API).
     */
    static List<String> exportedPackages() throws IOException {
        String src = Files.readString(Path.of("src/main/java/module-info.java"));
        List<String> pkgs = new ArrayList<>();
        for (String line : src.lines().toList()) {
            String t = line.trim();
            if (t.startsWith("exports ") && !t.contains(" to ")) {
                pkgs.add(t.substring("exports ".length()).replace(";", "").trim());
            }
        }
        return pkgs;
    }

    private static List<Class<?>> classesIn(String pkg) throws IOException {
        Path dir = Path.of("target/classes", pkg.replace('.', '/'));
        List<Class<?>> out = new ArrayList<>();
        try (var files = Files.list(dir)) {
            for (Path p : files.sorted().toList()) {
                String n = p.getFileName().toString();
                if (n.endsWith(".class") && !n.equals("package-info.class") && !n.equals("module-info.class")) {
                    try {
                        out.add(Class.forName(pkg + "." + n.substring(0, n.length() - 6), false, PublicApiTest.class.getClassLoader()));
                    } catch (ClassNotFoundException e) {
                        throw new IOException(e);
                    }
                }
            }
        }
        return out;
    }
}
