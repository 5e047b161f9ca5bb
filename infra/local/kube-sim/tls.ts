// The simulated cluster's own certificate authority and serving certificate, made at start: a client
// verifies the server the way it would a real cluster (kubectl, @kubernetes/client-node), from the
// kubeconfig's certificate-authority-data, with no skip-TLS-verify anywhere.
//
// Keys come from node:crypto; node-forge writes the X.509 certificates (Node has no certificate
// builder). RSA because node-forge signs nothing else.
import { generateKeyPairSync, randomBytes } from "node:crypto";
import forge from "node-forge";

export interface ClusterTls {
  /** The CA certificate (PEM): what a kubeconfig trusts. */
  readonly ca: string;
  /** The serving certificate (PEM) for 127.0.0.1 and localhost, signed by the CA. */
  readonly cert: string;
  /** The serving certificate's private key (PEM). */
  readonly key: string;
}

const VALIDITY_DAYS = 365;

function rsaKey(): forge.pki.rsa.PrivateKey {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs8", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });
  return forge.pki.privateKeyFromPem(privateKey) as forge.pki.rsa.PrivateKey;
}

function publicOf(key: forge.pki.rsa.PrivateKey): forge.pki.rsa.PublicKey {
  return forge.pki.setRsaPublicKey(key.n, key.e);
}

function certificate(subjectCn: string, key: forge.pki.rsa.PrivateKey, now: Date): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicOf(key);
  // Positive serial: a leading byte below 0x80.
  cert.serialNumber = `01${randomBytes(15).toString("hex")}`;
  cert.validity.notBefore = new Date(now.getTime() - 60 * 60 * 1000);
  cert.validity.notAfter = new Date(now.getTime() + VALIDITY_DAYS * 24 * 60 * 60 * 1000);
  cert.setSubject([{ name: "commonName", value: subjectCn }, { name: "organizationName", value: "hedgehog-gitops local stack" }]);
  return cert;
}

export function createClusterTls(now = new Date()): ClusterTls {
  const caKey = rsaKey();
  const ca = certificate("hedgehog-gitops simulated cluster CA", caKey, now);
  ca.setIssuer(ca.subject.attributes);
  ca.setExtensions([
    { name: "basicConstraints", cA: true, critical: true },
    { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
    { name: "subjectKeyIdentifier" },
  ]);
  ca.sign(caKey, forge.md.sha256.create());

  const serverKey = rsaKey();
  const server = certificate("kube-sim", serverKey, now);
  server.setIssuer(ca.subject.attributes);
  server.setExtensions([
    { name: "basicConstraints", cA: false },
    { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
    { name: "extKeyUsage", serverAuth: true },
    { name: "subjectAltName", altNames: [{ type: 7, ip: "127.0.0.1" }, { type: 2, value: "localhost" }] },
    { name: "authorityKeyIdentifier", keyIdentifier: ca.generateSubjectKeyIdentifier().getBytes() },
  ]);
  server.sign(caKey, forge.md.sha256.create());

  return { ca: forge.pki.certificateToPem(ca), cert: forge.pki.certificateToPem(server), key: forge.pki.privateKeyToPem(serverKey) };
}
