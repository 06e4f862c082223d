//! Reference data in the API: districts, Shanghai FTZ areas, service lines.

use async_graphql::{Context, ID, Object, Result, SimpleObject};

use super::ids::{self, Kind};
use super::state;
use crate::domain::{DistrictCode, ServiceLine, ServiceLineFamily};
use crate::entities::{district, ftz_area};
use crate::error::AppError;

pub struct District(pub district::Model);

impl District {
    pub fn by_id(ctx: &Context<'_>, id: i64) -> Result<District> {
        state(ctx)
            .reference
            .district(id)
            .cloned()
            .map(District)
            .ok_or_else(|| {
                AppError::internal(anyhow::anyhow!("district {id} missing from reference data"))
                    .into()
            })
    }
}

/// One of Jiangxi's 11 prefecture-level cities.
#[Object]
impl District {
    /// Opaque global ID.
    pub async fn id(&self) -> ID {
        ids::encode(Kind::District, self.0.id)
    }

    /// The code filters take.
    async fn code(&self) -> DistrictCode {
        self.0.code
    }

    /// English (pinyin) name.
    async fn name(&self) -> &str {
        &self.0.name_en
    }

    /// Chinese name.
    async fn name_zh(&self) -> &str {
        &self.0.name_zh
    }

    /// Administrative division code (GB/T 2260).
    async fn division_code(&self) -> &str {
        self.0.code.names().2
    }
}

pub struct FreeTradeZoneArea(pub ftz_area::Model);

/// An area of the China (Shanghai) Pilot Free Trade Zone.
#[Object]
impl FreeTradeZoneArea {
    /// Opaque global ID.
    pub async fn id(&self) -> ID {
        ids::encode(Kind::FreeTradeZoneArea, self.0.id)
    }

    /// Stable short code.
    async fn code(&self) -> &str {
        &self.0.code
    }

    /// English name.
    async fn name(&self) -> &str {
        &self.0.name_en
    }

    /// Chinese name.
    async fn name_zh(&self) -> &str {
        &self.0.name_zh
    }
}

/// A line of service with its family and names.
#[derive(SimpleObject)]
pub struct ServiceLineInfo {
    /// The line, as filters take it.
    line: ServiceLine,
    /// Its family (ITO, BPO or KPO).
    family: ServiceLineFamily,
    /// English name.
    name: &'static str,
    /// Chinese name.
    name_zh: &'static str,
}

#[derive(Default)]
pub struct ReferenceQuery;

#[Object]
impl ReferenceQuery {
    /// Jiangxi's 11 districts (prefecture-level cities).
    #[graphql(cache_control(max_age = 3600))]
    async fn districts(&self, ctx: &Context<'_>) -> Vec<District> {
        state(ctx)
            .reference
            .districts
            .iter()
            .cloned()
            .map(District)
            .collect()
    }

    /// The areas of the China (Shanghai) Pilot Free Trade Zone.
    #[graphql(cache_control(max_age = 3600))]
    async fn free_trade_zone_areas(&self, ctx: &Context<'_>) -> Vec<FreeTradeZoneArea> {
        state(ctx)
            .reference
            .ftz_areas
            .iter()
            .cloned()
            .map(FreeTradeZoneArea)
            .collect()
    }

    /// Every line of service, by family.
    async fn service_lines(&self) -> Vec<ServiceLineInfo> {
        ServiceLine::ALL
            .into_iter()
            .map(|line| ServiceLineInfo {
                line,
                family: line.family(),
                name: line.name_en(),
                name_zh: line.name_zh(),
            })
            .collect()
    }
}
