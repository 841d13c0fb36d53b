using Confluent.Kafka;
using Logbus.Messaging.Kafka.Configuration;
using Logbus.Messaging.Kafka.Diagnostics;
using MassTransit;

namespace Logbus.Messaging.Kafka.Consuming;

/// <summary>
/// The poll thread of one group member: takes records from the Confluent consumer and hands each to its partition's
/// lane. It never waits for consumers: a full lane pauses its partition instead, so heartbeats and rebalances keep
/// flowing and a slow partition does not hold up the others.
/// </summary>
/// <remarks>
/// Everything here runs on the poll thread, which is also where librdkafka runs the rebalance callbacks (inside
/// <c>Consume</c>); that is why it may read the lanes without their lock and pause or resume partitions directly.
/// </remarks>
internal sealed class PollLoop(IConsumer<byte[], byte[]> consumer, KafkaReceiveEndpointContext context, AssignedLanes lanes, int memberIndex)
{
    private static readonly TimeSpan IdlePoll = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan PausedPoll = TimeSpan.FromMilliseconds(5);

    private readonly KafkaTopicEndpointSettings _settings = context.Settings;

    public void Run(CancellationToken stop)
    {
        LogContext.SetCurrentIfNull(context.LogContext);
        consumer.Subscribe(_settings.Topic);
        LogContext.Debug?.Log("Kafka consumer {Topic} ({Group}) member {Member} subscribed", _settings.Topic, _settings.GroupId, memberIndex);
        var anyPaused = false;
        var consumeWarnings = new RepeatedWarnings(TimeSpan.FromSeconds(30));
        while (!stop.IsCancellationRequested)
        {
            anyPaused = ResumeDrainedPartitions();
            ConsumeResult<byte[], byte[]>? result;
            try
            {
                result = consumer.Consume(anyPaused ? PausedPoll : IdlePoll);
            }
            catch (ConsumeException exception) when (exception.Error.Code == ErrorCode.Local_AutoOffsetReset)
            {
                // auto.offset.reset=error: the broker no longer has the records at this member's position (retention deleted
                // them unread); the consumer continues from where librdkafka resumes.
                OffsetResetLog.Report(_settings, context.LogContext, exception.Error.Reason);
                continue;
            }
            catch (ConsumeException exception) when (!exception.Error.IsFatal)
            {
                // librdkafka repeats these (a missing topic, say) on every poll; say it once in a while, not every time.
                var logger = consumeWarnings.ShouldWarn(exception.Error.Code) ? LogContext.Warning : LogContext.Debug;
                logger?.Log("Kafka consumer {Topic} ({Group}): {Reason}", _settings.Topic, _settings.GroupId, exception.Error.Reason);
                continue;
            }
            catch (KafkaException exception) when (exception.Error.IsFatal)
            {
                LogContext.Error?.Log(exception, "Kafka consumer {Topic} ({Group}) failed fatally; the endpoint restarts it", _settings.Topic,
                    _settings.GroupId);
                throw;
            }

            if (result is null || result.IsPartitionEOF)
            {
                continue;
            }

            context.Rider.Connectivity.ReportReachable();
            if (!lanes.FindOnPollThread(result.TopicPartition, out var lane))
            {
                continue;
            }

            lane.Enqueue(result);
            if (lane.ShouldPause)
            {
                consumer.Pause([result.TopicPartition]);
                lane.Paused = true;
            }
        }
    }

    private bool ResumeDrainedPartitions()
    {
        var anyPaused = false;
        foreach (var lane in lanes.AllOnPollThread)
        {
            if (lane.ShouldResume)
            {
                consumer.Resume([lane.Partition]);
                lane.Paused = false;
            }

            anyPaused |= lane.Paused;
        }

        return anyPaused;
    }
}
