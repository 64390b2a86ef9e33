package io.sitepair.replicator.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** Every command, with the exact reply bytes Redis 7 gives. One VM for the class; FLUSHALL between tests. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KvCommandsTest {
    KvServer kv;

    @BeforeAll
    void boot(@TempDir Path dir) throws Exception {
        kv = KvServer.boot(dir.resolve("kv.img"), 8L << 20);
    }

    @AfterAll
    void shutdown() throws Exception {
        kv.close();
    }

    @BeforeEach
    void empty() throws Exception {
        assertEquals("+OK\r\n", kv.cmd("FLUSHALL"));
    }

    String cmd(String... args) throws Exception {
        return kv.cmd(args);
    }

    @Test
    void connectionCommands() throws Exception {
        assertEquals("+PONG\r\n", cmd("PING"));
        assertEquals("+PONG\r\n", cmd("ping"));
        assertEquals("$5\r\nhello\r\n", cmd("PING", "hello"));
        assertEquals("-ERR wrong number of arguments for 'ping' command\r\n", cmd("PING", "a", "b"));
        assertEquals("$3\r\nabc\r\n", cmd("ECHO", "abc"));
        assertEquals("$0\r\n\r\n", cmd("echo", ""));
        assertEquals("-ERR wrong number of arguments for 'echo' command\r\n", cmd("ECHO"));
        assertEquals("+OK\r\n", cmd("SELECT", "0"));
        assertEquals("-ERR DB index is out of range\r\n", cmd("SELECT", "1"));
        assertEquals("-ERR DB index is out of range\r\n", cmd("SELECT", "-1"));
        assertEquals("-ERR value is not an integer or out of range\r\n", cmd("SELECT", "x"));

        int conn = kv.open();
        assertEquals("+OK\r\n", kv.call(conn, "QUIT"));
        assertTrue(kv.closedByServer(conn));
        assertTrue(!kv.isOpen(conn));
    }

    @Test
    void unknownCommandsAndArity() throws Exception {
        assertEquals("-ERR unknown command 'foo', with args beginning with: \r\n", cmd("foo"));
        assertEquals("-ERR unknown command 'foo', with args beginning with: 'a' 'b c' \r\n", cmd("foo", "a", "b c"));
        assertEquals("-ERR unknown command 'x', with args beginning with: 'a  b' \r\n", cmd("x", "a\r\nb"));
        assertEquals("-ERR wrong number of arguments for 'get' command\r\n", cmd("GET"));
        assertEquals("-ERR wrong number of arguments for 'get' command\r\n", cmd("get", "a", "b"));
        assertEquals("-ERR wrong number of arguments for 'set' command\r\n", cmd("SET", "a"));
        assertEquals("-ERR wrong number of arguments for 'mset' command\r\n", cmd("MSET", "a", "1", "b"));
        String longArg = "y".repeat(200);
        assertEquals("-ERR unknown command 'nope', with args beginning with: '" + "y".repeat(128) + "' \r\n",
                cmd("nope", longArg, "z"));
    }

    @Test
    void getSetAndOptions() throws Exception {
        assertEquals("$-1\r\n", cmd("GET", "k"));
        assertEquals("+OK\r\n", cmd("SET", "k", "v"));
        assertEquals("$1\r\nv\r\n", cmd("GET", "k"));
        assertEquals("$-1\r\n", cmd("SET", "k", "w", "NX"));
        assertEquals("$1\r\nv\r\n", cmd("GET", "k"));
        assertEquals("+OK\r\n", cmd("SET", "k", "w", "xx"));
        assertEquals("$-1\r\n", cmd("SET", "other", "w", "XX"));
        assertEquals("$1\r\nw\r\n", cmd("SET", "k", "x", "GET"));
        assertEquals("$-1\r\n", cmd("SET", "new", "x", "GET"));
        assertEquals("$1\r\nx\r\n", cmd("SET", "new", "y", "NX", "GET"));
        assertEquals("$1\r\nx\r\n", cmd("GET", "new"));
        assertEquals("-ERR syntax error\r\n", cmd("SET", "k", "v", "NX", "XX"));
        assertEquals("-ERR syntax error\r\n", cmd("SET", "k", "v", "EX"));
        assertEquals("-ERR syntax error\r\n", cmd("SET", "k", "v", "EX", "10", "PX", "100"));
        assertEquals("-ERR syntax error\r\n", cmd("SET", "k", "v", "KEEPTTL", "EX", "10"));
        assertEquals("-ERR syntax error\r\n", cmd("SET", "k", "v", "BOGUS"));
        assertEquals("-ERR value is not an integer or out of range\r\n", cmd("SET", "k", "v", "EX", "ten"));
        assertEquals("-ERR invalid expire time in 'set' command\r\n", cmd("SET", "k", "v", "EX", "0"));
        assertEquals("-ERR invalid expire time in 'set' command\r\n", cmd("SET", "k", "v", "PX", "-5"));
        assertEquals("-ERR invalid expire time in 'set' command\r\n", cmd("SET", "k", "v", "EX", "9223372036854775807"));
        assertEquals("+OK\r\n", cmd("SET", "k", "v", "EX", "100"));
        assertEquals(":100\r\n", cmd("TTL", "k"));
        assertEquals("+OK\r\n", cmd("SET", "k", "v2", "KEEPTTL"));
        assertEquals(":100000\r\n", cmd("PTTL", "k"));
        assertEquals("+OK\r\n", cmd("SET", "k", "v3"));
        assertEquals(":-1\r\n", cmd("TTL", "k"));
        assertEquals("+OK\r\n", cmd("SET", "k", "v", "PX", "1500"));
        assertEquals(":2\r\n", cmd("TTL", "k")); // Redis rounds to the nearest second
        long nowMs = kv.clock.get() / 1_000_000;
        assertEquals("+OK\r\n", cmd("SET", "k", "v", "PXAT", Long.toString(nowMs + 5000)));
        assertEquals(":5000\r\n", cmd("PTTL", "k"));
        assertEquals("+OK\r\n", cmd("SET", "k", "v", "EXAT", Long.toString(nowMs / 1000 + 60)));
        assertTrue(cmd("TTL", "k").matches(":(59|60)\r\n"));
        assertEquals("+OK\r\n", cmd("SET", "", ""));
        assertEquals("$0\r\n\r\n", cmd("GET", ""));
    }

    @Test
    void getsetSetnxSetexGetdel() throws Exception {
        assertEquals("$-1\r\n", cmd("GETSET", "k", "1"));
        assertEquals("+OK\r\n", cmd("EXPIRE", "k", "100").equals(":1\r\n") ? "+OK\r\n" : "fail");
        assertEquals("$1\r\n1\r\n", cmd("GETSET", "k", "2"));
        assertEquals(":-1\r\n", cmd("TTL", "k")); // GETSET drops the TTL, as SET does
        assertEquals(":0\r\n", cmd("SETNX", "k", "3"));
        assertEquals(":1\r\n", cmd("SETNX", "j", "3"));
        assertEquals("+OK\r\n", cmd("SETEX", "s", "10", "v"));
        assertEquals(":10\r\n", cmd("TTL", "s"));
        assertEquals("-ERR invalid expire time in 'setex' command\r\n", cmd("SETEX", "s", "0", "v"));
        assertEquals("+OK\r\n", cmd("PSETEX", "p", "2500", "v"));
        assertEquals(":2500\r\n", cmd("PTTL", "p"));
        assertEquals("$1\r\n2\r\n", cmd("GETDEL", "k"));
        assertEquals("$-1\r\n", cmd("GETDEL", "k"));
        assertEquals(":0\r\n", cmd("EXISTS", "k"));
        assertEquals("+string\r\n", cmd("TYPE", "j"));
        assertEquals("+none\r\n", cmd("TYPE", "k"));
    }

    @Test
    void delExistsMgetMset() throws Exception {
        assertEquals("+OK\r\n", cmd("MSET", "a", "1", "b", "2", "c", "3"));
        assertEquals("*4\r\n$1\r\n1\r\n$1\r\n2\r\n$-1\r\n$1\r\n3\r\n", cmd("MGET", "a", "b", "x", "c"));
        assertEquals(":4\r\n", cmd("EXISTS", "a", "a", "b", "x", "c"));
        assertEquals(":2\r\n", cmd("DEL", "a", "x", "b", "a"));
        assertEquals(":0\r\n", cmd("DEL", "a"));
        assertEquals(":1\r\n", cmd("DBSIZE"));
        assertEquals("+OK\r\n", cmd("MSET", "d", "1", "d", "2"));
        assertEquals("$1\r\n2\r\n", cmd("GET", "d"));
        assertEquals("-ERR wrong number of arguments for 'del' command\r\n", cmd("DEL"));
        assertEquals("-ERR wrong number of arguments for 'exists' command\r\n", cmd("EXISTS"));
    }

    @Test
    void counters() throws Exception {
        assertEquals(":1\r\n", cmd("INCR", "n"));
        assertEquals(":11\r\n", cmd("INCRBY", "n", "10"));
        assertEquals(":10\r\n", cmd("DECR", "n"));
        assertEquals(":-5\r\n", cmd("DECRBY", "n", "15"));
        assertEquals("$2\r\n-5\r\n", cmd("GET", "n"));
        assertEquals(":-1\r\n", cmd("DECR", "fresh"));
        assertEquals("+OK\r\n", cmd("SET", "s", "abc"));
        assertEquals("-ERR value is not an integer or out of range\r\n", cmd("INCR", "s"));
        assertEquals("+OK\r\n", cmd("SET", "s", " 1"));
        assertEquals("-ERR value is not an integer or out of range\r\n", cmd("INCR", "s"));
        assertEquals("+OK\r\n", cmd("SET", "s", "01"));
        assertEquals("-ERR value is not an integer or out of range\r\n", cmd("INCR", "s"));
        assertEquals("-ERR value is not an integer or out of range\r\n", cmd("INCRBY", "n", "1.5"));
        assertEquals("-ERR value is not an integer or out of range\r\n", cmd("INCRBY", "n", "99999999999999999999"));
        assertEquals("+OK\r\n", cmd("SET", "big", "9223372036854775806"));
        assertEquals(":9223372036854775807\r\n", cmd("INCR", "big"));
        assertEquals("-ERR increment or decrement would overflow\r\n", cmd("INCR", "big"));
        assertEquals("+OK\r\n", cmd("SET", "small", "-9223372036854775808"));
        assertEquals("-ERR increment or decrement would overflow\r\n", cmd("DECR", "small"));
        assertEquals("-ERR decrement would overflow\r\n", cmd("DECRBY", "n", "-9223372036854775808"));
        assertEquals("+OK\r\n", cmd("SET", "t", "5", "EX", "100"));
        assertEquals(":6\r\n", cmd("INCR", "t"));
        assertEquals(":100\r\n", cmd("TTL", "t")); // INCR keeps the TTL
    }

    @Test
    void appendAndStrlen() throws Exception {
        assertEquals(":0\r\n", cmd("STRLEN", "a"));
        assertEquals(":5\r\n", cmd("APPEND", "a", "hello"));
        assertEquals(":11\r\n", cmd("APPEND", "a", " world"));
        assertEquals("$11\r\nhello world\r\n", cmd("GET", "a"));
        assertEquals(":11\r\n", cmd("STRLEN", "a"));
        assertEquals(":11\r\n", cmd("APPEND", "a", ""));
    }

    @Test
    void expiryCommands() throws Exception {
        assertEquals(":-2\r\n", cmd("TTL", "k"));
        assertEquals(":-2\r\n", cmd("PTTL", "k"));
        assertEquals(":0\r\n", cmd("EXPIRE", "k", "10"));
        assertEquals("+OK\r\n", cmd("SET", "k", "v"));
        assertEquals(":-1\r\n", cmd("TTL", "k"));
        assertEquals(":0\r\n", cmd("PERSIST", "k"));
        assertEquals(":1\r\n", cmd("EXPIRE", "k", "10"));
        assertEquals(":10\r\n", cmd("TTL", "k"));
        assertEquals(":10000\r\n", cmd("PTTL", "k"));
        assertEquals(":1\r\n", cmd("PEXPIRE", "k", "2500"));
        assertEquals(":2500\r\n", cmd("PTTL", "k"));
        assertEquals(":3\r\n", cmd("TTL", "k"));
        assertEquals(":1\r\n", cmd("PERSIST", "k"));
        assertEquals(":-1\r\n", cmd("TTL", "k"));
        // NX / XX / GT / LT (Redis 7)
        assertEquals(":0\r\n", cmd("EXPIRE", "k", "10", "XX"));
        assertEquals(":0\r\n", cmd("EXPIRE", "k", "10", "GT"));
        assertEquals(":1\r\n", cmd("EXPIRE", "k", "10", "NX"));
        assertEquals(":0\r\n", cmd("EXPIRE", "k", "20", "NX"));
        assertEquals(":1\r\n", cmd("EXPIRE", "k", "20", "gt"));
        assertEquals(":0\r\n", cmd("EXPIRE", "k", "5", "GT"));
        assertEquals(":1\r\n", cmd("EXPIRE", "k", "5", "LT"));
        assertEquals(":5\r\n", cmd("TTL", "k"));
        assertEquals("-ERR NX and XX, GT or LT options at the same time are not compatible\r\n",
                cmd("EXPIRE", "k", "5", "NX", "XX"));
        assertEquals("-ERR GT and LT options at the same time are not compatible\r\n",
                cmd("EXPIRE", "k", "5", "GT", "LT"));
        assertEquals("-ERR Unsupported option foo\r\n", cmd("EXPIRE", "k", "5", "foo"));
        assertEquals("-ERR value is not an integer or out of range\r\n", cmd("EXPIRE", "k", "soon"));
        assertEquals("-ERR invalid expire time in 'expire' command\r\n", cmd("EXPIRE", "k", "9223372036854775807"));
        assertEquals("-ERR invalid expire time in 'pexpire' command\r\n", cmd("PEXPIRE", "k", "9223372036854775807"));
        long nowMs = kv.clock.get() / 1_000_000;
        assertEquals(":1\r\n", cmd("PEXPIREAT", "k", Long.toString(nowMs + 7000)));
        assertEquals(":7000\r\n", cmd("PTTL", "k"));
        assertEquals(":1\r\n", cmd("EXPIREAT", "k", Long.toString(nowMs / 1000 + 100)));
        // A deadline in the past deletes the key.
        assertEquals(":1\r\n", cmd("EXPIRE", "k", "-1"));
        assertEquals(":0\r\n", cmd("EXISTS", "k"));
        assertEquals("+OK\r\n", cmd("SET", "k", "v"));
        assertEquals(":1\r\n", cmd("EXPIRE", "k", "0"));
        assertEquals("$-1\r\n", cmd("GET", "k"));
    }

    @Test
    void dbsizeFlushAndKeys() throws Exception {
        assertEquals(":0\r\n", cmd("DBSIZE"));
        assertEquals("+OK\r\n", cmd("MSET", "one", "1", "two", "2", "three", "3", "four", "4", "h?llo", "x",
                "a*b", "y", "[x]", "z", "hello", "5", "hallo", "6", "hxllo", "7", "hllo", "8", "heeeello", "9"));
        assertEquals(":12\r\n", cmd("DBSIZE"));
        assertEquals(List.of("one"), keys("*o*e*"));
        assertEquals(List.of("three", "two"), keys("t*"));
        assertEquals(List.of("four"), keys("?o*"));
        assertEquals(List.of("h?llo", "hallo", "hello", "hxllo"), keys("h?llo"));
        assertEquals(List.of("heeeello", "hello", "hllo"), keys("h*llo").stream()
                .filter(k -> !k.matches("h[ax?]llo")).toList());
        assertEquals(List.of("hallo", "hello"), keys("h[ae]llo"));
        assertEquals(List.of("h?llo", "hallo", "hxllo"), keys("h[^e]llo"));
        assertEquals(List.of("hallo", "hello"), keys("h[a-e]llo"));
        assertEquals(List.of("h?llo"), keys("h\\?llo"));
        assertEquals(List.of("a*b"), keys("a\\*b"));
        assertEquals(List.of("[x]"), keys("\\[x\\]"));
        assertEquals(12, keys("*").size());
        assertEquals(List.of(), keys("nothing*"));
        assertEquals("*0\r\n", cmd("KEYS", "zz*"));
        assertEquals("+OK\r\n", cmd("FLUSHALL"));
        assertEquals(":0\r\n", cmd("DBSIZE"));
        assertEquals("+OK\r\n", cmd("FLUSHDB", "ASYNC"));
        assertEquals("-ERR syntax error\r\n", cmd("FLUSHALL", "NOW"));
    }

    @Test
    void aPathologicalPatternDoesNotExhaustTheStack() throws Exception {
        assertEquals("+OK\r\n", cmd("SET", "a".repeat(5000), "v"));
        String pattern = "*a".repeat(20_000) + "b";
        assertEquals("*0\r\n", cmd("KEYS", pattern));
        assertEquals("+PONG\r\n", cmd("PING"));
    }

    List<String> keys(String pattern) throws Exception {
        List<String> out = new ArrayList<>();
        for (Object o : (List<?>) Resp.parseOne(KvServer.bytes(cmd("KEYS", pattern)))) {
            out.add(Resp.text((byte[]) o));
        }
        out.sort(null);
        return out;
    }

    @Test
    void infoReportsRealNumbers() throws Exception {
        assertEquals("+OK\r\n", cmd("MSET", "a", "1", "b", "2", "c", "3"));
        assertEquals("+OK\r\n", cmd("SET", "e", "1", "EX", "100"));
        String all = Resp.bulkText(cmd("INFO"));
        for (String section : List.of("# Server", "# Clients", "# Memory", "# Persistence", "# Stats", "# Keyspace")) {
            assertTrue(all.contains(section + "\r\n"), section + " in\n" + all);
        }
        assertTrue(all.contains("db0:keys=4,expires=1,avg_ttl=0\r\n"), all);
        assertTrue(all.startsWith("# Server\r\nredis_version:"), all);
        assertTrue(all.contains("\r\n\r\n# Clients\r\n"), all);
        String keyspace = Resp.bulkText(cmd("INFO", "keyspace"));
        assertEquals("# Keyspace\r\ndb0:keys=4,expires=1,avg_ttl=0\r\n", keyspace);
        String two = Resp.bulkText(cmd("info", "CLIENTS", "keyspace"));
        assertTrue(two.startsWith("# Clients\r\nconnected_clients:"), two);
        assertTrue(two.contains("\r\n\r\n# Keyspace\r\n"), two);
        assertEquals("$0\r\n\r\n", cmd("INFO", "nosuchsection"));
        assertTrue(kv.infoLong("kv_disk_live_bytes") > 0);
        assertTrue(kv.infoLong("kv_disk_log_bytes") >= 4096);
        assertEquals("ok", kv.info("kv_disk_status"));
        assertEquals(0, kv.infoLong("kv_corrupt_records"));
        assertTrue(kv.infoLong("total_commands_processed") > 5);
        assertTrue(kv.infoLong("connected_clients") >= 1);
        assertTrue(kv.infoLong("used_memory") > 0);
        assertEquals("+OK\r\n", cmd("FLUSHALL"));
        assertEquals("# Keyspace\r\n", Resp.bulkText(cmd("INFO", "keyspace")));
    }

    @Test
    void configCommandAndClient() throws Exception {
        assertEquals("*2\r\n$4\r\nsave\r\n$0\r\n\r\n", cmd("CONFIG", "GET", "save"));
        assertEquals("*2\r\n$10\r\nappendonly\r\n$2\r\nno\r\n", cmd("CONFIG", "GET", "appendonly"));
        assertEquals("*0\r\n", cmd("CONFIG", "GET", "nosuchparam"));
        assertEquals("*4\r\n$4\r\nsave\r\n$0\r\n\r\n$10\r\nappendonly\r\n$2\r\nno\r\n",
                cmd("CONFIG", "GET", "save", "appendonly", "save"));
        assertTrue(cmd("CONFIG", "GET", "max*").startsWith("*4\r\n"));
        assertEquals("-ERR wrong number of arguments for 'config|get' command\r\n", cmd("CONFIG", "GET"));
        assertEquals("-ERR wrong number of arguments for 'config' command\r\n", cmd("CONFIG"));
        assertEquals("-ERR unknown subcommand 'bogus'. Try CONFIG HELP.\r\n", cmd("CONFIG", "bogus"));
        assertEquals("+OK\r\n", cmd("CONFIG", "RESETSTAT"));

        assertEquals("*0\r\n", cmd("COMMAND", "DOCS"));
        int count = Integer.parseInt(cmd("COMMAND", "COUNT").substring(1).trim());
        assertTrue(count >= 30, "count " + count);
        List<?> all = (List<?>) Resp.parseOne(KvServer.bytes(cmd("COMMAND")));
        assertEquals(count, all.size());
        List<?> get = (List<?>) ((List<?>) Resp.parseOne(KvServer.bytes(cmd("COMMAND", "INFO", "get")))).get(0);
        assertEquals("get", Resp.text((byte[]) get.get(0)));
        assertEquals(2L, get.get(1));
        assertEquals("*1\r\n$-1\r\n", cmd("COMMAND", "INFO", "nosuch"));
        assertEquals("-ERR unknown subcommand 'x'. Try COMMAND HELP.\r\n", cmd("COMMAND", "x"));

        assertEquals("$-1\r\n", cmd("CLIENT", "GETNAME"));
        assertEquals("+OK\r\n", cmd("CLIENT", "SETNAME", "me"));
        assertEquals("$2\r\nme\r\n", cmd("CLIENT", "GETNAME"));
        assertEquals("+OK\r\n", cmd("CLIENT", "SETINFO", "lib-name", "test"));
        assertTrue(cmd("CLIENT", "ID").matches(":\\d+\r\n"));
    }
}
