package sns

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"time"

	"github.com/bedrockbatch/bedrockbatch/localcloud/internal/spool"
)

// signer signs messages as SNS does for SignatureVersion 1: SHA1 with RSA
// over the message's canonical string, with a key and a self-signed
// certificate kept in the data directory.
type signer struct {
	key     *rsa.PrivateKey
	certPEM []byte
}

func openSigner(dir string) (*signer, error) {
	keyPath, certPath := filepath.Join(dir, "signing-key.pem"), filepath.Join(dir, "signing-cert.pem")
	keyPEM, kerr := os.ReadFile(keyPath)
	certPEM, cerr := os.ReadFile(certPath)
	if kerr == nil && cerr == nil {
		if b, _ := pem.Decode(keyPEM); b != nil {
			if key, err := x509.ParsePKCS1PrivateKey(b.Bytes); err == nil {
				return &signer{key: key, certPEM: certPEM}, nil
			}
		}
		return nil, errors.New("sns: unreadable signing key in " + keyPath + "; delete it and its certificate to make new ones")
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "sns.localcloud"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().AddDate(10, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	certPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM = pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	if err := spool.WriteFileAtomic(keyPath, keyPEM); err != nil {
		return nil, err
	}
	if err := spool.WriteFileAtomic(certPath, certPEM); err != nil {
		return nil, err
	}
	return &signer{key: key, certPEM: certPEM}, nil
}

// sign returns the base64 signature of the canonical string of m: the
// listed members, each as "Name\nValue\n", in the order SNS documents
// (https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message-verify-message-signature.html).
func (s *signer) sign(m map[string]any) string {
	var names []string
	if m["Type"] == "Notification" {
		names = []string{"Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"}
	} else {
		names = []string{"Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"}
	}
	var b []byte
	for _, n := range names {
		v, ok := m[n].(string)
		if !ok {
			continue
		}
		b = append(b, n+"\n"+v+"\n"...)
	}
	sum := sha1.Sum(b)
	sig, err := rsa.SignPKCS1v15(rand.Reader, s.key, crypto.SHA1, sum[:])
	if err != nil {
		return ""
	}
	return base64.StdEncoding.EncodeToString(sig)
}
