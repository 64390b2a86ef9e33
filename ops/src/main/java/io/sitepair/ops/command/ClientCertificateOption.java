package io.sitepair.ops.command;

import io.sitepair.ops.config.PairConfig;
import io.sitepair.ops.site.AdminClient;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * {@code --cert FILE --key FILE}: whose certificate a command presents to the sites' admin API,
 * declared once for every command that talks to a site. Without them, the configuration's operator's.
 */
final class ClientCertificateOption {
    @Option(names = "--cert", paramLabel = "FILE", description = "A certificate of the pair's CA to present to the"
            + " sites' admin API (an operator's, a monitor's or a site's); default: the configuration's tls.operator.")
    private Path certificate;

    @Option(names = "--key", paramLabel = "FILE", description = "The private key of --cert (readable by its owner"
            + " only).")
    private Path key;

    /** A client of {@code pair}'s admin endpoints that presents this certificate. */
    AdminClient client(PairConfig pair) {
        return AdminClient.of(pair, absolute(certificate), absolute(key));
    }

    private static Path absolute(Path file) {
        return file == null ? null : file.toAbsolutePath();
    }
}
