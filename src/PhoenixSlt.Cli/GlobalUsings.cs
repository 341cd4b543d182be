// Metric names (MetricNames) and the metrics themselves live in Core; every file of this project may name them.
global using PhoenixSlt.Core.Metrics;
