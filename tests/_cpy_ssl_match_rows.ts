// CPython 3.11's BasicSocketTests.test_match_hostname rows ([cert, hostname, CPython's ok|fail]), taken from its
// Lib/test/test_ssl.py, plus siblings: its assertRaisesRegex cases, NUL bytes, IP spellings.
export const MATCH_ROWS: [Record<string, unknown>, string, string][] = [
  [{ "subject": [[["commonName", "example.com"]]] }, "example.com", "ok"],
  [{ "subject": [[["commonName", "example.com"]]] }, "ExAmple.cOm", "ok"],
  [{ "subject": [[["commonName", "example.com"]]] }, "www.example.com", "fail"],
  [{ "subject": [[["commonName", "example.com"]]] }, ".example.com", "fail"],
  [{ "subject": [[["commonName", "example.com"]]] }, "example.org", "fail"],
  [{ "subject": [[["commonName", "example.com"]]] }, "exampleXcom", "fail"],
  [{ "subject": [[["commonName", "*.a.com"]]] }, "foo.a.com", "ok"],
  [{ "subject": [[["commonName", "*.a.com"]]] }, "bar.foo.a.com", "fail"],
  [{ "subject": [[["commonName", "*.a.com"]]] }, "a.com", "fail"],
  [{ "subject": [[["commonName", "*.a.com"]]] }, "Xa.com", "fail"],
  [{ "subject": [[["commonName", "*.a.com"]]] }, ".a.com", "fail"],
  [{ "subject": [[["commonName", "f*.com"]]] }, "foo.com", "fail"],
  [{ "subject": [[["commonName", "f*.com"]]] }, "f.com", "fail"],
  [{ "subject": [[["commonName", "f*.com"]]] }, "bar.com", "fail"],
  [{ "subject": [[["commonName", "f*.com"]]] }, "foo.a.com", "fail"],
  [{ "subject": [[["commonName", "f*.com"]]] }, "bar.foo.com", "fail"],
  [{ "subject": [[["commonName", "null.python.org\u0000example.org"]]] }, "null.python.org\u0000example.org", "ok"],
  [{ "subject": [[["commonName", "null.python.org\u0000example.org"]]] }, "example.org", "fail"],
  [{ "subject": [[["commonName", "null.python.org\u0000example.org"]]] }, "null.python.org", "fail"],
  [{ "subject": [[["commonName", "*.*.a.com"]]] }, "bar.foo.a.com", "fail"],
  [{ "subject": [[["commonName", "*.*.a.com"]]] }, "a.com", "fail"],
  [{ "subject": [[["commonName", "*.*.a.com"]]] }, "Xa.com", "fail"],
  [{ "subject": [[["commonName", "*.*.a.com"]]] }, ".a.com", "fail"],
  [{ "subject": [[["commonName", "a.*.com"]]] }, "a.foo.com", "fail"],
  [{ "subject": [[["commonName", "a.*.com"]]] }, "a..com", "fail"],
  [{ "subject": [[["commonName", "a.*.com"]]] }, "a.com", "fail"],
  [{ "subject": [[["commonName", "xn--pthon-kva.python.org"]]] }, "xn--pthon-kva.python.org", "ok"],
  [{ "subject": [[["commonName", "x*.python.org"]]] }, "xn--pthon-kva.python.org", "fail"],
  [{ "subject": [[["commonName", "xn--p*.python.org"]]] }, "xn--pthon-kva.python.org", "fail"],
  [{ "subject": [[["commonName", "www*.xn--pythn-mua.org"]]] }, "www.xn--pythn-mua.org", "fail"],
  [{ "subject": [[["commonName", "www*.xn--pythn-mua.org"]]] }, "www1.xn--pythn-mua.org", "fail"],
  [{ "subject": [[["commonName", "www*.xn--pythn-mua.org"]]] }, "ftp.xn--pythn-mua.org", "fail"],
  [{ "subject": [[["commonName", "www*.xn--pythn-mua.org"]]] }, "xn--pythn-mua.org", "fail"],
  [
    {
      "notAfter": "Jun 26 21:41:46 2011 GMT",
      "subject": [[["commonName", "linuxfrz.org"]]],
      "subjectAltName": [["DNS", "linuxfr.org"], ["DNS", "linuxfr.com"], ["othername", "<unsupported>"]],
    },
    "linuxfr.org",
    "ok",
  ],
  [
    {
      "notAfter": "Jun 26 21:41:46 2011 GMT",
      "subject": [[["commonName", "linuxfrz.org"]]],
      "subjectAltName": [["DNS", "linuxfr.org"], ["DNS", "linuxfr.com"], ["othername", "<unsupported>"]],
    },
    "linuxfr.com",
    "ok",
  ],
  [
    {
      "notAfter": "Jun 26 21:41:46 2011 GMT",
      "subject": [[["commonName", "linuxfrz.org"]]],
      "subjectAltName": [["DNS", "linuxfr.org"], ["DNS", "linuxfr.com"], ["othername", "<unsupported>"]],
    },
    "<unsupported>",
    "fail",
  ],
  [
    {
      "notAfter": "Jun 26 21:41:46 2011 GMT",
      "subject": [[["commonName", "linuxfrz.org"]]],
      "subjectAltName": [["DNS", "linuxfr.org"], ["DNS", "linuxfr.com"], ["othername", "<unsupported>"]],
    },
    "linuxfrz.org",
    "fail",
  ],
  [
    {
      "notAfter": "Dec 18 23:59:59 2011 GMT",
      "subject": [
        [["countryName", "US"]],
        [["stateOrProvinceName", "California"]],
        [["localityName", "Mountain View"]],
        [["organizationName", "Google Inc"]],
        [["commonName", "mail.google.com"]],
      ],
    },
    "mail.google.com",
    "ok",
  ],
  [
    {
      "notAfter": "Dec 18 23:59:59 2011 GMT",
      "subject": [
        [["countryName", "US"]],
        [["stateOrProvinceName", "California"]],
        [["localityName", "Mountain View"]],
        [["organizationName", "Google Inc"]],
        [["commonName", "mail.google.com"]],
      ],
    },
    "gmail.com",
    "fail",
  ],
  [
    {
      "notAfter": "Dec 18 23:59:59 2011 GMT",
      "subject": [
        [["countryName", "US"]],
        [["stateOrProvinceName", "California"]],
        [["localityName", "Mountain View"]],
        [["organizationName", "Google Inc"]],
        [["commonName", "mail.google.com"]],
      ],
    },
    "California",
    "fail",
  ],
  [
    {
      "subject": [[["commonName", "example.com"]]],
      "subjectAltName": [["DNS", "example.com"], ["IP Address", "10.11.12.13"], ["IP Address", "14.15.16.17"], [
        "IP Address",
        "127.0.0.1",
      ]],
    },
    "10.11.12.13",
    "ok",
  ],
  [
    {
      "subject": [[["commonName", "example.com"]]],
      "subjectAltName": [["DNS", "example.com"], ["IP Address", "10.11.12.13"], ["IP Address", "14.15.16.17"], [
        "IP Address",
        "127.0.0.1",
      ]],
    },
    "14.15.16.17",
    "ok",
  ],
  [
    {
      "subject": [[["commonName", "example.com"]]],
      "subjectAltName": [["DNS", "example.com"], ["IP Address", "10.11.12.13"], ["IP Address", "14.15.16.17"], [
        "IP Address",
        "127.0.0.1",
      ]],
    },
    "127.1",
    "fail",
  ],
  [
    {
      "subject": [[["commonName", "example.com"]]],
      "subjectAltName": [["DNS", "example.com"], ["IP Address", "10.11.12.13"], ["IP Address", "14.15.16.17"], [
        "IP Address",
        "127.0.0.1",
      ]],
    },
    "14.15.16.17 ",
    "fail",
  ],
  [
    {
      "subject": [[["commonName", "example.com"]]],
      "subjectAltName": [["DNS", "example.com"], ["IP Address", "10.11.12.13"], ["IP Address", "14.15.16.17"], [
        "IP Address",
        "127.0.0.1",
      ]],
    },
    "14.15.16.17 extra data",
    "fail",
  ],
  [
    {
      "subject": [[["commonName", "example.com"]]],
      "subjectAltName": [["DNS", "example.com"], ["IP Address", "10.11.12.13"], ["IP Address", "14.15.16.17"], [
        "IP Address",
        "127.0.0.1",
      ]],
    },
    "14.15.16.18",
    "fail",
  ],
  [
    {
      "subject": [[["commonName", "example.com"]]],
      "subjectAltName": [["DNS", "example.com"], ["IP Address", "10.11.12.13"], ["IP Address", "14.15.16.17"], [
        "IP Address",
        "127.0.0.1",
      ]],
    },
    "example.net",
    "fail",
  ],
  [
    {
      "subject": [[["commonName", "example.com"]]],
      "subjectAltName": [["DNS", "example.com"], ["IP Address", "2001:0:0:0:0:0:0:CAFE\n"], [
        "IP Address",
        "2003:0:0:0:0:0:0:BABA\n",
      ]],
    },
    "2001::cafe",
    "ok",
  ],
  [
    {
      "subject": [[["commonName", "example.com"]]],
      "subjectAltName": [["DNS", "example.com"], ["IP Address", "2001:0:0:0:0:0:0:CAFE\n"], [
        "IP Address",
        "2003:0:0:0:0:0:0:BABA\n",
      ]],
    },
    "2003::baba",
    "ok",
  ],
  [
    {
      "subject": [[["commonName", "example.com"]]],
      "subjectAltName": [["DNS", "example.com"], ["IP Address", "2001:0:0:0:0:0:0:CAFE\n"], [
        "IP Address",
        "2003:0:0:0:0:0:0:BABA\n",
      ]],
    },
    "2003::baba ",
    "fail",
  ],
  [
    {
      "subject": [[["commonName", "example.com"]]],
      "subjectAltName": [["DNS", "example.com"], ["IP Address", "2001:0:0:0:0:0:0:CAFE\n"], [
        "IP Address",
        "2003:0:0:0:0:0:0:BABA\n",
      ]],
    },
    "2003::baba extra data",
    "fail",
  ],
  [
    {
      "subject": [[["commonName", "example.com"]]],
      "subjectAltName": [["DNS", "example.com"], ["IP Address", "2001:0:0:0:0:0:0:CAFE\n"], [
        "IP Address",
        "2003:0:0:0:0:0:0:BABA\n",
      ]],
    },
    "2003::bebe",
    "fail",
  ],
  [
    {
      "subject": [[["commonName", "example.com"]]],
      "subjectAltName": [["DNS", "example.com"], ["IP Address", "2001:0:0:0:0:0:0:CAFE\n"], [
        "IP Address",
        "2003:0:0:0:0:0:0:BABA\n",
      ]],
    },
    "example.net",
    "fail",
  ],
  [
    {
      "notAfter": "Dec 18 23:59:59 2011 GMT",
      "subject": [
        [["countryName", "US"]],
        [["stateOrProvinceName", "California"]],
        [["localityName", "Mountain View"]],
        [["organizationName", "Google Inc"]],
      ],
    },
    "mail.google.com",
    "fail",
  ],
  [
    {
      "notAfter": "Dec 18 23:59:59 2099 GMT",
      "subject": [
        [["countryName", "US"]],
        [["stateOrProvinceName", "California"]],
        [["localityName", "Mountain View"]],
        [["commonName", "mail.google.com"]],
      ],
      "subjectAltName": [["othername", "blabla"]],
    },
    "mail.google.com",
    "ok",
  ],
  [
    {
      "notAfter": "Dec 18 23:59:59 2099 GMT",
      "subject": [
        [["countryName", "US"]],
        [["stateOrProvinceName", "California"]],
        [["localityName", "Mountain View"]],
        [["organizationName", "Google Inc"]],
      ],
      "subjectAltName": [["othername", "blabla"]],
    },
    "google.com",
    "fail",
  ],
  [{ "subject": [[["commonName", "a*b.example.com"]]] }, "axxb.example.com", "fail"],
  [{ "subject": [[["commonName", "www.*.example.com"]]] }, "www.sub.example.com", "fail"],
  [{ "subject": [[["commonName", "a*b*.example.com"]]] }, "axxbxxc.example.com", "fail"],
  [{ "subject": [[["commonName", "*"]]] }, "host", "fail"],
  [{ "subject": [[["commonName", "*.com"]]] }, "com", "fail"],
  [{ "subjectAltName": [["DNS", "altnull.python.org\u0000example.com"]] }, "altnull.python.org", "fail"],
  [{ "subjectAltName": [["DNS", "altnull.python.org\u0000example.com"]] }, "example.com", "fail"],
  [
    { "subjectAltName": [["DNS", "altnull.python.org\u0000example.com"]] },
    "altnull.python.org\u0000example.com",
    "fail",
  ],
  [{ "subject": [[["commonName", "null.python.org\u0000example.org"]]] }, "null.python.org", "fail"],
  [{ "subjectAltName": [["IP Address", "127.0.0.1"]] }, "127.0.0.1\u0000", "fail"],
  [{ "subjectAltName": [["DNS", "*.example.com"]] }, "a.b.example.com", "fail"],
  [{ "subjectAltName": [["DNS", "xn--*.example.com"]] }, "xn--abc.example.com", "fail"],
  [{ "subjectAltName": [["DNS", "*.example.com"]] }, ".example.com", "fail"],
  [{ "subjectAltName": [["IP Address", "192.0.2.1"]] }, "192.000.002.001", "fail"],
  [{ "subjectAltName": [["DNS", "192.0.2.1"]] }, "192.0.2.1", "fail"],
  [{ "subjectAltName": [["IP Address", "2001:DB8:0:0:0:0:0:1\n"]] }, "2001:db8::1", "fail"],
];
