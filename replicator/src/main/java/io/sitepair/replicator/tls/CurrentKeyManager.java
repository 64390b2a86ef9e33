package io.sitepair.replicator.tls;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.function.Supplier;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * Presents this end's certificate as its files are at each handshake, so a rotated certificate is
 * used from the next connection on, without a restart.
 */
final class CurrentKeyManager extends X509ExtendedKeyManager {
    private static final String ALIAS = "sitepair";
    private final Supplier<TlsIdentity.Material> material;

    CurrentKeyManager(Supplier<TlsIdentity.Material> material) {
        this.material = material;
    }

    private String aliasFor(String... keyTypes) {
        String algorithm = material.get().key().getAlgorithm();
        if (keyTypes == null) {
            return ALIAS;
        }
        for (String type : keyTypes) {
            if (type != null && (type.equals(algorithm) || type.startsWith(algorithm + "_"))) {
                return ALIAS;
            }
        }
        return null;
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return aliasFor(keyType) == null ? null : new String[] {ALIAS};
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        return aliasFor(keyType);
    }

    @Override
    public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
        return aliasFor(keyType);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return aliasFor(keyType) == null ? null : new String[] {ALIAS};
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return aliasFor(keyType);
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return aliasFor(keyType);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        return ALIAS.equals(alias) ? new X509Certificate[] {material.get().certificate()} : null;
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        return ALIAS.equals(alias) ? material.get().key() : null;
    }
}
