package localcloud

import (
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/bedrockbatch/bedrockbatch/localcloud/edge"
	"github.com/bedrockbatch/bedrockbatch/localcloud/sns"
	"github.com/bedrockbatch/bedrockbatch/localcloud/sqs"
)

// openMessaging opens SQS and SNS and serves them; SNS delivers to queues
// and functions through the SQS and Lambda APIs.
func (c *Cloud) openMessaging() error {
	var err error
	o := c.opts
	if c.SQS, err = sqs.New(sqs.Options{DataDir: o.DataDir, Region: o.Region, Account: o.Account, Clock: o.Clock, Logger: o.Logger}); err != nil {
		return err
	}
	cfg := c.AWSConfig()
	if c.SNS, err = sns.New(sns.Options{
		DataDir: o.DataDir, Region: o.Region, Account: o.Account, Clock: o.Clock, Logger: o.Logger,
		SQS: awssqs.NewFromConfig(cfg), Lambda: awslambda.NewFromConfig(cfg),
	}); err != nil {
		return err
	}
	c.Router.Register(edge.SQS, c.SQS)
	c.Router.Register(edge.SNS, c.SNS)
	c.Router.Mount(sns.LinksPath, c.SNS.Links())
	return nil
}
