package org.asyncio4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * Library code calls the engines, never the {@code Asyncio} facade (architecture.md, layer 7):
 * the compiled classes of the packages listed here must not name {@code org.asyncio4j.Asyncio}.
 */
class FacadeLayoutTest {

    /** A class-file reference to the facade or one of its nested classes. */
    private static final Pattern FACADE = Pattern.compile("org/asyncio4j/Asyncio(?![A-Za-z0-9_])");

    private static List<String> classesNamingTheFacade(String pkg) throws IOException, URISyntaxException {
        Path root = Path.of(Asyncio.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path dir = root.resolve(pkg.replace('.', '/'));
        assertTrue(Files.isDirectory(dir), "no compiled classes at " + dir);
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(f -> f.toString().endsWith(".class"))
                    .filter(f -> {
                        try {
                            return FACADE.matcher(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1)).find();
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    })
                    .map(f -> root.relativize(f).toString())
                    .sorted()
                    .toList();
        }
    }

    @Test
    void subprocessPackage_neverNamesTheFacade() throws Exception {
        assertEquals(List.of(), classesNamingTheFacade("org.asyncio4j.subprocess"));
    }

    @Test
    void internalPackage_neverNamesTheFacade() throws Exception {
        assertEquals(List.of(), classesNamingTheFacade("org.asyncio4j.internal"));
    }

    @Test
    void syncQueuesAndStreamsPackages_neverNameTheFacade() throws Exception {
        assertEquals(List.of(), classesNamingTheFacade("org.asyncio4j.sync"));
        assertEquals(List.of(), classesNamingTheFacade("org.asyncio4j.queues"));
        assertEquals(List.of(), classesNamingTheFacade("org.asyncio4j.streams"));
    }

    @Test
    void rootPackageClasses_otherThanTheFacade_neverNameIt() throws Exception {
        List<String> offenders = classesNamingTheFacade("org.asyncio4j").stream()
                .filter(f -> f.indexOf('/', "org/asyncio4j/".length()) < 0)     // this package only
                .filter(f -> !f.matches("org/asyncio4j/Asyncio(\\$.*)?\\.class"))
                .toList();
        assertEquals(List.of(), offenders);
    }
}
