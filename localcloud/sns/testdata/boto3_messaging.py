"""Checks the local SQS (over AWS JSON 1.0) and SNS (over the query protocol)
the way boto3 users meet them.

Usage: python boto3_messaging.py ENDPOINT_URL
Prints one line per failed check and exits 1 if any failed.
"""
import hashlib
import json
import sys

import boto3
import botocore.config
from botocore.exceptions import ClientError

endpoint = sys.argv[1]
kw = dict(endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="AKIDLOCAL",
          aws_secret_access_key="secret", config=botocore.config.Config(retries={"max_attempts": 1}))
sqs = boto3.client("sqs", **kw)
sns = boto3.client("sns", **kw)
failures = []


def check(what, ok, detail=""):
    if not ok:
        failures.append(f"{what}: {detail}")


def error_of(call):
    try:
        call()
    except ClientError as e:
        return e.response["ResponseMetadata"]["HTTPStatusCode"], e.response["Error"]["Code"]
    except Exception as e:  # a client crash is a failure too
        return None, f"{type(e).__name__}: {e}"
    return 200, None


# SQS: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html
url = sqs.create_queue(QueueName="boto-q", Attributes={"VisibilityTimeout": "45"})["QueueUrl"]
check("queue URL ends with account/name", url.endswith("/000000000000/boto-q"), url)
sent = sqs.send_message(QueueUrl=url, MessageBody="héllo", MessageAttributes={
    "n": {"DataType": "Number", "StringValue": "7"}})
check("MD5OfMessageBody", sent["MD5OfMessageBody"] == hashlib.md5("héllo".encode()).hexdigest(), sent)
got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"],
                          MessageSystemAttributeNames=["All"])["Messages"]
check("one message received", len(got) == 1, got)
m = got[0]
check("body", m["Body"] == "héllo", m)
check("number attribute", m["MessageAttributes"]["n"] == {"DataType": "Number", "StringValue": "7"}, m)
check("receive count", m["Attributes"]["ApproximateReceiveCount"] == "1", m)
attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
check("VisibilityTimeout kept", attrs["VisibilityTimeout"] == "45", attrs)
check("one in flight", attrs["ApproximateNumberOfMessagesNotVisible"] == "1", attrs)
sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
# https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_GetQueueUrl.html#API_GetQueueUrl_Errors
check("missing queue", error_of(lambda: sqs.get_queue_url(QueueName="nope")) == (400, "AWS.SimpleQueueService.NonExistentQueue"),
      error_of(lambda: sqs.get_queue_url(QueueName="nope")))
try:
    sqs.get_queue_url(QueueName="nope")
except sqs.exceptions.QueueDoesNotExist:
    pass
except Exception as e:
    check("modeled QueueDoesNotExist", False, repr(e))
check("MaxNumberOfMessages 11", error_of(lambda: sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=11)) == (400, "InvalidParameterValue"))

# SNS: https://docs.aws.amazon.com/sns/latest/api/API_Publish.html
topic = sns.create_topic(Name="boto-topic")["TopicArn"]
check("topic ARN", topic == "arn:aws:sns:us-east-1:000000000000:boto-topic", topic)
check("topic listed", {"TopicArn": topic} in sns.list_topics()["Topics"])
sub = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint="arn:aws:sqs:us-east-1:000000000000:boto-q",
                    ReturnSubscriptionArn=True)["SubscriptionArn"]
check("subscription ARN under the topic", sub.startswith(topic + ":"), sub)
sns.set_subscription_attributes(SubscriptionArn=sub, AttributeName="RawMessageDelivery", AttributeValue="true")
check("raw delivery set", sns.get_subscription_attributes(SubscriptionArn=sub)["Attributes"]["RawMessageDelivery"] == "true")
pub = sns.publish(TopicArn=topic, Message=json.dumps({"job": "j-2"}), MessageAttributes={
    "status": {"DataType": "String", "StringValue": "Completed"}})
check("MessageId", len(pub["MessageId"]) == 36, pub)
got = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["All"]).get("Messages", [])
check("published message in the queue", len(got) == 1 and json.loads(got[0]["Body"]) == {"job": "j-2"}, got)
check("attribute carried", got and got[0]["MessageAttributes"]["status"]["StringValue"] == "Completed", got)
attrs = sns.get_topic_attributes(TopicArn=topic)["Attributes"]
check("confirmed subscriptions", attrs["SubscriptionsConfirmed"] == "1", attrs)
# https://docs.aws.amazon.com/sns/latest/api/API_Publish.html#API_Publish_Errors
check("publish to a missing topic", error_of(lambda: sns.publish(TopicArn=topic + "-x", Message="m")) == (404, "NotFound"),
      error_of(lambda: sns.publish(TopicArn=topic + "-x", Message="m")))
check("empty message", error_of(lambda: sns.publish(TopicArn=topic, Message="")) == (400, "InvalidParameter"))
sns.unsubscribe(SubscriptionArn=sub)
check("no subscriptions left", sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"] == [])
sns.delete_topic(TopicArn=topic)
sqs.delete_queue(QueueUrl=url)

for f in failures:
    print(f)
sys.exit(1 if failures else 0)
