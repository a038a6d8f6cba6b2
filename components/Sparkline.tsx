'use client';

import { Area, AreaChart, YAxis } from 'recharts';

/** A small request-rate trend: no axes or tooltip, fixed height so tiles never change size. */
export function Sparkline({ values, tone }: { values: number[]; tone: string }) {
  const data = values.map((v, i) => ({ i, v }));
  return (
    <AreaChart
      responsive
      style={{ width: '100%', height: 36 }}
      data={data}
      margin={{ top: 2, right: 0, bottom: 0, left: 0 }}
    >
      <YAxis hide domain={[0, 'dataMax']} />
      <Area
        type="monotone"
        dataKey="v"
        stroke={`var(--${tone})`}
        fill={`var(--${tone})`}
        fillOpacity={0.15}
        strokeWidth={1.5}
        isAnimationActive={false}
        dot={false}
      />
    </AreaChart>
  );
}
