package sqs_test

import (
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// queryCall posts a query-protocol request (form-encoded Action=…) as the
// SDKs that predate SQS's JSON protocol do, signed for sqs so the router
// sends it to SQS, and returns the status and body.
func queryCall(t *testing.T, endpoint string, form url.Values) (int, string) {
	t.Helper()
	form.Set("Version", "2012-11-05")
	req, _ := http.NewRequest(http.MethodPost, endpoint+"/", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDLOCAL/20260101/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=0")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(body)
}

// The query protocol's requests and answers, as in the API reference's
// query examples
// (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html#API_SendMessage_Examples,
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ReceiveMessage.html#API_ReceiveMessage_Examples,
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/CommonErrors.html).
func TestQueryProtocol(t *testing.T) {
	_, endpoint := serve(t, t.TempDir())
	status, body := queryCall(t, endpoint, url.Values{"Action": {"CreateQueue"}, "QueueName": {"legacy"},
		"Attribute.1.Name": {"VisibilityTimeout"}, "Attribute.1.Value": {"40"}})
	var created struct {
		URL string `xml:"CreateQueueResult>QueueUrl"`
		ID  string `xml:"ResponseMetadata>RequestId"`
	}
	if err := xml.Unmarshal([]byte(body), &created); status != 200 || err != nil || !strings.HasSuffix(created.URL, "/000000000000/legacy") || created.ID == "" {
		t.Fatalf("CreateQueue: %d %s", status, body)
	}
	status, body = queryCall(t, endpoint, url.Values{"Action": {"SendMessage"}, "QueueUrl": {created.URL}, "MessageBody": {"This is a test message"},
		"MessageAttribute.1.Name": {"attribName1"}, "MessageAttribute.1.Value.StringValue": {"attribValue 1"},
		"MessageAttribute.1.Value.DataType": {"String"}})
	var sent struct {
		MD5Body  string `xml:"SendMessageResult>MD5OfMessageBody"`
		MD5Attrs string `xml:"SendMessageResult>MD5OfMessageAttributes"`
	}
	// MD5 of the body as RFC 1321 computes it; MD5 of the attribute as
	// the developer guide describes, the value published for this
	// attribute with the aws-md5-of-message-attributes package
	// (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-message-metadata.html#sqs-attributes-md5-message-digest-calculation).
	if err := xml.Unmarshal([]byte(body), &sent); status != 200 || err != nil || sent.MD5Body != "fafb00f5732ab283681e124bf8747ed1" ||
		sent.MD5Attrs != "19e27d4e946b072f3f58da80d94fd778" {
		t.Fatalf("SendMessage: %d %s", status, body)
	}
	status, body = queryCall(t, endpoint, url.Values{"Action": {"ReceiveMessage"}, "QueueUrl": {created.URL}, "AttributeName.1": {"All"},
		"MessageAttributeName.1": {"All"}, "MaxNumberOfMessages": {"5"}})
	var got struct {
		Messages []struct {
			Body       string `xml:"Body"`
			MD5        string `xml:"MD5OfBody"`
			Handle     string `xml:"ReceiptHandle"`
			Attributes []struct {
				Name  string `xml:"Name"`
				Value string `xml:"Value"`
			} `xml:"Attribute"`
			MessageAttributes []struct {
				Name     string `xml:"Name"`
				DataType string `xml:"Value>DataType"`
				String   string `xml:"Value>StringValue"`
			} `xml:"MessageAttribute"`
		} `xml:"ReceiveMessageResult>Message"`
	}
	if err := xml.Unmarshal([]byte(body), &got); status != 200 || err != nil || len(got.Messages) != 1 {
		t.Fatalf("ReceiveMessage: %d %s", status, body)
	}
	m := got.Messages[0]
	attrs := map[string]string{}
	for _, a := range m.Attributes {
		attrs[a.Name] = a.Value
	}
	if m.Body != "This is a test message" || m.MD5 != sent.MD5Body || attrs["ApproximateReceiveCount"] != "1" || attrs["SentTimestamp"] == "" ||
		len(m.MessageAttributes) != 1 || m.MessageAttributes[0].String != "attribValue 1" || m.MessageAttributes[0].DataType != "String" {
		t.Errorf("received %+v", m)
	}
	status, body = queryCall(t, endpoint, url.Values{"Action": {"DeleteMessage"}, "QueueUrl": {created.URL}, "ReceiptHandle": {m.Handle}})
	if status != 200 || !strings.Contains(body, "<DeleteMessageResponse") {
		t.Errorf("DeleteMessage: %d %s", status, body)
	}
	status, body = queryCall(t, endpoint, url.Values{"Action": {"GetQueueUrl"}, "QueueName": {"missing"}})
	var fail struct {
		Type string `xml:"Error>Type"`
		Code string `xml:"Error>Code"`
		Msg  string `xml:"Error>Message"`
		ID   string `xml:"RequestId"`
	}
	if err := xml.Unmarshal([]byte(body), &fail); status != 400 || err != nil || fail.Code != "AWS.SimpleQueueService.NonExistentQueue" ||
		fail.Type != "Sender" || fail.Msg == "" || fail.ID == "" {
		t.Errorf("missing queue: %d %s", status, body)
	}
	status, body = queryCall(t, endpoint, url.Values{"Action": {"ListQueues"}})
	var list struct {
		URLs []string `xml:"ListQueuesResult>QueueUrl"`
	}
	if err := xml.Unmarshal([]byte(body), &list); status != 200 || err != nil || len(list.URLs) != 1 || list.URLs[0] != created.URL {
		t.Errorf("ListQueues: %d %s", status, body)
	}
}
