import { describe, expect, it } from "vitest";
import { addressKey, clientAddress } from "../../server/admission/client-address.js";

describe("addressKey", () => {
  it.each([
    ["127.0.0.1", 64, "127.0.0.1"],
    ["::ffff:127.0.0.1", 64, "127.0.0.1"],
    ["::FFFF:10.1.2.3", 128, "10.1.2.3"],
    ["::1", 64, "::/64"],
    ["::1", 128, "::1"],
    ["2001:db8:1:2:3:4:5:6", 64, "2001:db8:1:2::/64"],
    ["2001:db8:1:2:ffff:ffff:ffff:ffff", 64, "2001:db8:1:2::/64"],
    ["2001:db8:1:2::9", 64, "2001:db8:1:2::/64"],
    ["2001:db8:1:2ff::", 56, "2001:db8:1:200::/56"],
    ["2001:db8::1", 48, "2001:db8::/48"],
    ["fe80::1%eth0", 64, "fe80::/64"],
    ["64:ff9b::192.0.2.33", 96, "64:ff9b::/96"],
    ["2001:db8:0:1:2:3:4:5", 128, "2001:db8:0:1:2:3:4:5"],
    ["2001:0:0:1:0:0:0:5", 127, "2001:0:0:1::4/127"],
    ["1:0:0:2:0:0:3:4", 112, "1::2:0:0:3:0/112"],
    ["not an address", 64, "not an address"],
    ["1:2:3", 64, "1:2:3"],
    ["1::2::3", 64, "1::2::3"],
    ["#total", 64, "#total"],
  ])("%s per /%i -> %s", (address, subnet, key) => {
    expect(addressKey(address, subnet)).toBe(key);
  });

  it("gives every address of one /64 the same key, and another /64 another", () => {
    const keys = new Set(Array.from({ length: 100 }, (_, i) => addressKey(`2001:db8:aa:bb:${i.toString(16)}::${i}`, 64)));
    expect(keys).toEqual(new Set(["2001:db8:aa:bb::/64"]));
    expect(addressKey("2001:db8:aa:bc::1", 64)).not.toBe("2001:db8:aa:bb::/64");
  });
});

describe("clientAddress", () => {
  it("trusts X-Forwarded-For only as far as trustProxy says", () => {
    const headers = { "x-forwarded-for": "203.0.113.9, 10.0.0.2" };
    expect(clientAddress("10.0.0.1", headers, false)).toBe("10.0.0.1");
    expect(clientAddress("10.0.0.1", headers, 1)).toBe("10.0.0.2");
    expect(clientAddress("10.0.0.1", headers, true)).toBe("203.0.113.9");
  });
});
