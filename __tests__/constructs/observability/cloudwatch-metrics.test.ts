import {
  CLOUDWATCH_SERIES,
  RDS_INSTANCE_METRICS,
  SLOW_QUERY_METRIC,
  yaceMetricName,
  yaceSeries,
} from '../../../constructs/observability/cloudwatch-metrics';

describe('yaceMetricName', () => {
  it.each([
    // The cases of YACE's own TestBuildMetricName (pkg/promutil/migrate_test.go, v0.67.0).
    ['AWS/ElastiCache', 'CPUUtilization', 'Average', 'aws_elasticache_cpuutilization_average'],
    [
      '/aws/sagemaker/TrainingJobs',
      'CPUUtilization',
      'Average',
      'aws_sagemaker_trainingjobs_cpuutilization_average',
    ],
    ['Glue', 'glue.driver.aggregate.bytesRead', 'Average', 'aws_glue_driver_aggregate_bytes_read_average'],
    ['Glue', 'aggregate.glue.jobs.bytesRead', 'Average', 'aws_glue_aggregate_glue_jobs_bytes_read_average'],
    // Ours.
    ['AWS/RDS', 'FreeLocalStorage', 'Minimum', 'aws_rds_free_local_storage_minimum'],
    ['AWS/RDS', 'AuroraReplicaLag', 'Average', 'aws_rds_aurora_replica_lag_average'],
    ['AWS/RDS', 'CPUUtilization', 'Average', 'aws_rds_cpuutilization_average'],
    ['WMS/Database', 'SlowQueries', 'Sum', 'aws_wms_database_slow_queries_sum'],
    // Performance Insights' load (issue #18): "DB" then "Load" stay together (no lower case before the L).
    ['AWS/RDS', 'DBLoadRelativeToNumVCPUs', 'Average', 'aws_rds_dbload_relative_to_num_vcpus_average'],
    ['AWS/RDS', 'DBLoadNonCPU', 'Average', 'aws_rds_dbload_non_cpu_average'],
  ])('GIVEN %s %s %s THEN names it %s, as YACE does', (namespace, metric, statistic, expected) => {
    expect(yaceMetricName(namespace, metric, statistic)).toBe(expected);
  });
});

describe('the CloudWatch metrics YACE exports for the WMS', () => {
  it('THEN every AWS/RDS series the rules and dashboards name is one YACE is asked for', () => {
    const requested = RDS_INSTANCE_METRICS.flatMap((m) => yaceSeries('AWS/RDS', m));
    expect(requested).toEqual([
      'aws_rds_aurora_replica_lag_average',
      'aws_rds_aurora_replica_lag_maximum',
      'aws_rds_free_local_storage_minimum',
      'aws_rds_free_local_storage_average',
      'aws_rds_database_connections_average',
      'aws_rds_database_connections_maximum',
      'aws_rds_cpuutilization_average',
      'aws_rds_freeable_memory_average',
      'aws_rds_dbload_average',
      'aws_rds_dbload_cpu_average',
      'aws_rds_dbload_non_cpu_average',
      'aws_rds_dbload_relative_to_num_vcpus_average',
    ]);
    expect(requested).toContain(CLOUDWATCH_SERIES.rds('FreeLocalStorage', 'Minimum'));
  });

  it('THEN the slow-statement count is the Sum of WMS/Database SlowQueries', () => {
    expect(SLOW_QUERY_METRIC).toEqual({
      namespace: 'WMS/Database',
      name: 'SlowQueries',
      statistics: ['Sum'],
    });
    expect(CLOUDWATCH_SERIES.slowQueries).toBe('aws_wms_database_slow_queries_sum');
  });
});
