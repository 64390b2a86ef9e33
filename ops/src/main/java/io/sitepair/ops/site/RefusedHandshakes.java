package io.sitepair.ops.site;

import java.nio.ByteBuffer;
import java.security.KeyManagementException;
import java.security.SecureRandom;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;

/**
 * An {@link SSLContext} whose engines report why a handshake failed (no client certificate,
 * another CA's, an expired one, plaintext), once per connection. The JDK's HTTPS server drops such
 * a connection without a word; a refused peer must be logged with its reason.
 */
final class RefusedHandshakes {
    private RefusedHandshakes() {}

    /** {@code context}, with each failed handshake reported to {@code refusal} as "HOST:PORT: reason". */
    static SSLContext reporting(SSLContext context, Consumer<String> refusal) {
        return new SSLContext(new Spi(context, refusal), context.getProvider(), context.getProtocol()) {};
    }

    private static final class Spi extends SSLContextSpi {
        private final SSLContext context;
        private final Consumer<String> refusal;

        Spi(SSLContext context, Consumer<String> refusal) {
            this.context = context;
            this.refusal = refusal;
        }

        @Override
        protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom sr) throws KeyManagementException {
            throw new KeyManagementException("already initialised");
        }

        @Override
        protected SSLSocketFactory engineGetSocketFactory() {
            return context.getSocketFactory();
        }

        @Override
        protected SSLServerSocketFactory engineGetServerSocketFactory() {
            return context.getServerSocketFactory();
        }

        @Override
        protected SSLEngine engineCreateSSLEngine() {
            return new Reporting(context.createSSLEngine(), refusal);
        }

        @Override
        protected SSLEngine engineCreateSSLEngine(String host, int port) {
            return new Reporting(context.createSSLEngine(host, port), refusal);
        }

        @Override
        protected SSLSessionContext engineGetServerSessionContext() {
            return context.getServerSessionContext();
        }

        @Override
        protected SSLSessionContext engineGetClientSessionContext() {
            return context.getClientSessionContext();
        }

        @Override
        protected SSLParameters engineGetDefaultSSLParameters() {
            return context.getDefaultSSLParameters();
        }

        @Override
        protected SSLParameters engineGetSupportedSSLParameters() {
            return context.getSupportedSSLParameters();
        }
    }

    /** An engine that is {@code engine} in every respect but reports the first exception of wrap or unwrap. */
    private static final class Reporting extends SSLEngine {
        private final SSLEngine engine;
        private final Consumer<String> refusal;
        private boolean reported;

        Reporting(SSLEngine engine, Consumer<String> refusal) {
            super(engine.getPeerHost(), engine.getPeerPort());
            this.engine = engine;
            this.refusal = refusal;
        }

        @Override
        public SSLEngineResult wrap(ByteBuffer[] srcs, int offset, int length, ByteBuffer dst) throws SSLException {
            try {
                return engine.wrap(srcs, offset, length, dst);
            } catch (SSLException e) {
                throw report(e);
            }
        }

        @Override
        public SSLEngineResult unwrap(ByteBuffer src, ByteBuffer[] dsts, int offset, int length) throws SSLException {
            try {
                return engine.unwrap(src, dsts, offset, length);
            } catch (SSLException e) {
                throw report(e);
            }
        }

        private SSLException report(SSLException e) {
            if (!reported) {
                reported = true;
                refusal.accept(getPeerHost() + ":" + getPeerPort() + ": " + reason(e));
            }
            return e;
        }

        /** The innermost message: the trust manager's words, not "(certificate_unknown) ..." around them. */
        private static String reason(Throwable e) {
            Throwable innermost = e;
            while (innermost.getCause() != null && innermost.getCause().getMessage() != null) {
                innermost = innermost.getCause();
            }
            return innermost.getMessage();
        }

        @Override
        public Runnable getDelegatedTask() {
            return engine.getDelegatedTask();
        }

        @Override
        public void closeInbound() throws SSLException {
            engine.closeInbound();
        }

        @Override
        public boolean isInboundDone() {
            return engine.isInboundDone();
        }

        @Override
        public void closeOutbound() {
            engine.closeOutbound();
        }

        @Override
        public boolean isOutboundDone() {
            return engine.isOutboundDone();
        }

        @Override
        public String[] getSupportedCipherSuites() {
            return engine.getSupportedCipherSuites();
        }

        @Override
        public String[] getEnabledCipherSuites() {
            return engine.getEnabledCipherSuites();
        }

        @Override
        public void setEnabledCipherSuites(String[] suites) {
            engine.setEnabledCipherSuites(suites);
        }

        @Override
        public String[] getSupportedProtocols() {
            return engine.getSupportedProtocols();
        }

        @Override
        public String[] getEnabledProtocols() {
            return engine.getEnabledProtocols();
        }

        @Override
        public void setEnabledProtocols(String[] protocols) {
            engine.setEnabledProtocols(protocols);
        }

        @Override
        public SSLSession getSession() {
            return engine.getSession();
        }

        @Override
        public SSLSession getHandshakeSession() {
            return engine.getHandshakeSession();
        }

        @Override
        public void beginHandshake() throws SSLException {
            try {
                engine.beginHandshake();
            } catch (SSLException e) {
                throw report(e);
            }
        }

        @Override
        public SSLEngineResult.HandshakeStatus getHandshakeStatus() {
            return engine.getHandshakeStatus();
        }

        @Override
        public void setUseClientMode(boolean mode) {
            engine.setUseClientMode(mode);
        }

        @Override
        public boolean getUseClientMode() {
            return engine.getUseClientMode();
        }

        @Override
        public void setNeedClientAuth(boolean need) {
            engine.setNeedClientAuth(need);
        }

        @Override
        public boolean getNeedClientAuth() {
            return engine.getNeedClientAuth();
        }

        @Override
        public void setWantClientAuth(boolean want) {
            engine.setWantClientAuth(want);
        }

        @Override
        public boolean getWantClientAuth() {
            return engine.getWantClientAuth();
        }

        @Override
        public void setEnableSessionCreation(boolean flag) {
            engine.setEnableSessionCreation(flag);
        }

        @Override
        public boolean getEnableSessionCreation() {
            return engine.getEnableSessionCreation();
        }

        @Override
        public SSLParameters getSSLParameters() {
            return engine.getSSLParameters();
        }

        @Override
        public void setSSLParameters(SSLParameters params) {
            engine.setSSLParameters(params);
        }

        @Override
        public String getApplicationProtocol() {
            return engine.getApplicationProtocol();
        }

        @Override
        public String getHandshakeApplicationProtocol() {
            return engine.getHandshakeApplicationProtocol();
        }

        @Override
        public void setHandshakeApplicationProtocolSelector(BiFunction<SSLEngine, List<String>, String> selector) {
            engine.setHandshakeApplicationProtocolSelector(selector);
        }

        @Override
        public BiFunction<SSLEngine, List<String>, String> getHandshakeApplicationProtocolSelector() {
            return engine.getHandshakeApplicationProtocolSelector();
        }
    }
}
