package dev.streamtune.dashboard;

import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Where the page's files live on the class path: our own under {@code dev/streamtune/dashboard/static},
 * WebJars under {@code META-INF/resources/webjars/<name>/<version>}. The page asks for
 * {@code /webjars/chart.js/dist/chart.umd.min.js} without a version, so upgrading the WebJar in the
 * pom is the whole upgrade; the version is read from the WebJar's own {@code pom.properties}.
 */
final class ClasspathAssets {
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*");
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "json", "application/json",
            "map", "application/json",
            "svg", "image/svg+xml",
            "png", "image/png",
            "ico", "image/x-icon");

    private final Map<String, String> webjarVersions = new ConcurrentHashMap<>();

    /** Only plain relative paths: no {@code ..}, no empty segments, no backslashes or encoded tricks. */
    static boolean isSafe(String relative) {
        return SAFE.matcher(relative).matches() && !relative.contains("..");
    }

    static String contentType(String name) {
        int dot = name.lastIndexOf('.');
        String extension = dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
        return TYPES.getOrDefault(extension, "application/octet-stream");
    }

    /** The class-path resource for {@code <webjar>/<path>}, or null if that WebJar is not on the class path. */
    String webjarResource(String relative) {
        int slash = relative.indexOf('/');
        if (slash <= 0) {
            return null;
        }
        String name = relative.substring(0, slash);
        String version = webjarVersions.computeIfAbsent(name, ClasspathAssets::readVersion);
        if (version.isEmpty()) {
            return null;
        }
        return "META-INF/resources/webjars/" + name + "/" + version + relative.substring(slash);
    }

    private static String readVersion(String webjar) {
        for (String group : new String[] {"org.webjars.npm", "org.webjars"}) {
            String resource = "META-INF/maven/" + group + "/" + webjar + "/pom.properties";
            try (InputStream in = ClasspathAssets.class.getClassLoader().getResourceAsStream(resource)) {
                if (in != null) {
                    Properties properties = new Properties();
                    properties.load(in);
                    return properties.getProperty("version", "");
                }
            } catch (IOException e) {
                return "";
            }
        }
        return "";
    }
}
