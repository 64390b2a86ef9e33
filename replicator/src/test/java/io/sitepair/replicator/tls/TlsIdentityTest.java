package io.sitepair.replicator.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsIdentityTest {
    @TempDir
    Path dir;

    @Test
    void anIssuedCertificateNamesItsHolderInTheSanAndTheSubject() {
        TestPki pki = new TestPki(dir, "lab");
        TlsIdentity a = pki.identity(PairPrincipal.site("lab", "a"));
        assertEquals(PairPrincipal.site("lab", "a"), a.principal());
        assertEquals("CN=a,OU=site,O=sitepair lab", a.certificate().getSubjectX500Principal().getName());
    }

    @Test
    void aKeyReadableByOthersIsRefusedNamingTheFileAndItsMode() throws Exception {
        TlsFiles files = new TestPki(dir, "lab").issue(PairPrincipal.site("lab", "a"));
        Files.setPosixFilePermissions(files.key(), PosixFilePermissions.fromString("rw-r--r--"));
        TlsException e = assertThrows(TlsException.class, () -> TlsIdentity.load("lab", files));
        assertTrue(e.getMessage().contains(files.key() + " has mode 0644"), e.getMessage());
        assertTrue(e.getMessage().contains("chmod 600"), e.getMessage());
    }

    @Test
    void anExpiredCertificateIsRefusedAtLoad() {
        TlsFiles files = new TestPki(dir, "lab").issue(PairPrincipal.site("lab", "a"),
                Instant.now().minus(Duration.ofDays(10)), Duration.ofDays(1));
        TlsException e = assertThrows(TlsException.class, () -> TlsIdentity.load("lab", files));
        assertTrue(e.getMessage().contains("expired on"), e.getMessage());
    }

    @Test
    void anotherPairsCertificateOrAnotherCasIsRefused() throws Exception {
        TlsFiles other = new TestPki(Files.createDirectory(dir.resolve("other")), "prod").issue(
                PairPrincipal.site("prod", "a"));
        TlsException e = assertThrows(TlsException.class, () -> TlsIdentity.load("lab", other));
        assertTrue(e.getMessage().contains("belongs to pair 'prod', not to 'lab'"), e.getMessage());

        TestPki lab = new TestPki(Files.createDirectory(dir.resolve("lab")), "lab");
        TlsFiles foreign = new TlsFiles(lab.caFile(), other.certificate(), other.key());
        e = assertThrows(TlsException.class, () -> TlsIdentity.load("lab", foreign));
        assertTrue(e.getMessage().contains("is not issued by this pair's CA"), e.getMessage());
    }

    @Test
    void aKeyThatIsNotTheCertificatesIsRefused() {
        TestPki pki = new TestPki(dir, "lab");
        TlsFiles a = pki.issue(PairPrincipal.site("lab", "a"));
        TlsFiles b = pki.issue(PairPrincipal.site("lab", "b"));
        TlsException e = assertThrows(TlsException.class,
                () -> TlsIdentity.load("lab", new TlsFiles(a.ca(), a.certificate(), b.key())));
        assertTrue(e.getMessage().contains("is not the key of the certificate"), e.getMessage());
    }

    @Test
    void aRotatedCertificateIsUsedWithoutReloadingAndABrokenOneIsNot() throws Exception {
        TestPki pki = new TestPki(dir, "lab");
        TlsFiles files = pki.issue(PairPrincipal.site("lab", "a"));
        TlsIdentity identity = TlsIdentity.load("lab", files);
        var first = identity.certificate();
        pki.authority().issue(PairPrincipal.site("lab", "a"), TestPki.LOOPBACK, Instant.now(), Duration.ofDays(30))
                .write(files.certificate(), files.key());
        Files.setLastModifiedTime(files.certificate(), java.nio.file.attribute.FileTime.from(Instant.now().plusSeconds(5)));
        var second = identity.certificate();
        assertNotEquals(first, second, "the rotated certificate is presented");

        Files.writeString(files.certificate(), "not a certificate\n");
        Files.setLastModifiedTime(files.certificate(), java.nio.file.attribute.FileTime.from(Instant.now().plusSeconds(10)));
        assertEquals(second, identity.certificate(), "a broken replacement keeps the identity in use");
    }
}
