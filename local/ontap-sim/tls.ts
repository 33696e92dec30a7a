/** Certificates for the simulator's HTTPS listener, generated fresh at every start. */
import { generate } from 'selfsigned';

/** A CA, a server certificate it signed for loopback names, and a client certificate for certificate login. */
export interface SimCertificates {
  /** PEM of the CA: what a client trusts to reach the simulator. */
  caPem: string;
  serverCert: string;
  serverKey: string;
  /** Client certificate (CN = `clientCommonName`) the simulator accepts instead of Basic auth. */
  clientCert: string;
  clientKey: string;
}

// EC keys keep generation to tens of milliseconds, so every test can have its own CA.
const EC = { keyType: 'ec', algorithm: 'sha256' } as const;

/** Generates a throwaway CA plus server and client certificates; `clientCommonName` names the API user the client certificate logs in as. */
export async function generateCertificates(clientCommonName: string): Promise<SimCertificates> {
  const ca = await generate([{ name: 'commonName', value: 'ONTAP simulator test CA' }], {
    ...EC,
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  const signer = { key: ca.private, cert: ca.cert };
  const server = await generate([{ name: 'commonName', value: 'localhost' }], {
    ...EC,
    ca: signer,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  });
  const client = await generate([{ name: 'commonName', value: clientCommonName }], {
    ...EC,
    ca: signer,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true },
      { name: 'extKeyUsage', clientAuth: true },
    ],
  });
  return {
    caPem: ca.cert,
    serverCert: server.cert,
    serverKey: server.private,
    clientCert: client.cert,
    clientKey: client.private,
  };
}
