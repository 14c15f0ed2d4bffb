"""Throwaway TLS material for the tls phase, as tests/support/test_certificates.* makes it for the tests: a CA,
a server certificate it signed for 127.0.0.1 and localhost, and a client certificate (CN=pgwamp) it signed,
valid for two days. Made with Python's `cryptography` (in bench/.venv through autobahn) rather than the
openssl CLI: P-256 keys, so making them costs milliseconds, not the seconds RSA key generation can take on
a loaded machine. The key type matters only to the handshake, which pgwamp does once per connection."""

import datetime
import ipaddress
import os

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

VALID = datetime.timedelta(days=2)


class Certificates:
    """File names in `directory` (which the caller owns and removes)."""

    def __init__(self, directory):
        self.directory = directory
        self.ca_file = os.path.join(directory, "ca.crt")
        self.server_cert_file = os.path.join(directory, "server.crt")
        self.server_key_file = os.path.join(directory, "server.key")
        self.client_cert_file = os.path.join(directory, "client.crt")
        self.client_key_file = os.path.join(directory, "client.key")


def _name(cn):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _write_key(path, key):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))


def _write_cert(path, cert):
    with open(path, "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))


def _signed(subject, public_key, issuer, issuer_key, extensions, now):
    b = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(public_key)
         .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
         .not_valid_after(now + VALID))
    for ext, critical in extensions:
        b = b.add_extension(ext, critical=critical)
    return b.sign(issuer_key, hashes.SHA256())


def make(directory):
    """Writes ca.crt, server.{crt,key} and client.{crt,key} into `directory`; returns their names."""
    c = Certificates(directory)
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name("pgwamp-bench-ca")
    ca = _signed(ca_name, ca_key.public_key(), ca_name, ca_key, [
        (x509.BasicConstraints(ca=True, path_length=None), True),
        (x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                       data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
                       encipher_only=False, decipher_only=False), True),
        (x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)], now)
    _write_cert(c.ca_file, ca)
    aki = x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key())
    for cn, usage, san, cert_file, key_file in (
            ("127.0.0.1", ExtendedKeyUsageOID.SERVER_AUTH,
             x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                                          x509.DNSName("localhost")]),
             c.server_cert_file, c.server_key_file),
            ("pgwamp", ExtendedKeyUsageOID.CLIENT_AUTH, None, c.client_cert_file, c.client_key_file)):
        key = ec.generate_private_key(ec.SECP256R1())
        extensions = [(x509.BasicConstraints(ca=False, path_length=None), True),
                      (x509.ExtendedKeyUsage([usage]), False), (aki, False)]
        if san:
            extensions.append((san, False))
        _write_cert(cert_file, _signed(_name(cn), key.public_key(), ca_name, ca_key, extensions, now))
        _write_key(key_file, key)
    return c
